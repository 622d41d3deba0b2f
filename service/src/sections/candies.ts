import type { Section } from '../catalog.ts';

export const candies: Section = {
  name: 'candies',
  currency: 'EUR',
  sweets: [
    { id: 'gummy-bears', name: 'Gummy bears (200 g)', price: 250, currency: 'EUR' },
    { id: 'licorice', name: 'Salty licorice wheels', price: 290, currency: 'EUR' },
    { id: 'lollipop', name: 'Swirl lollipop', price: 150, currency: 'EUR' },
    { id: 'sour-worms', name: 'Sour worms (200 g)', price: 270, currency: 'EUR' },
    { id: 'marshmallows', name: 'Vanilla marshmallows', price: 320, currency: 'EUR' },
    { id: 'toffee', name: 'Butter toffee (150 g)', price: 380, currency: 'EUR' },
    { id: 'mint-drops', name: 'Peppermint drops tin', price: 230, currency: 'EUR' },
  ],
};
