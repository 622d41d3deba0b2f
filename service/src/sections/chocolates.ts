import type { Section } from '../catalog.ts';

export const chocolates: Section = {
  name: 'chocolates',
  currency: 'EUR',
  sweets: [
    { id: 'dark-70', name: 'Dark chocolate bar 70%', price: 350, currency: 'EUR' },
    { id: 'milk-hazelnut', name: 'Milk chocolate with hazelnuts', price: 320, currency: 'EUR' },
    { id: 'white-raspberry', name: 'White chocolate with raspberry', price: 340, currency: 'EUR' },
    { id: 'praline-box', name: 'Box of 12 pralines', price: 1490, currency: 'EUR' },
    { id: 'truffles', name: 'Cocoa-dusted truffles (200 g)', price: 990, currency: 'EUR' },
    { id: 'orange-thins', name: 'Dark orange thins', price: 450, currency: 'EUR' },
    { id: 'sea-salt-caramel', name: 'Sea salt caramel squares', price: 520, currency: 'EUR' },
    { id: 'hot-chocolate', name: 'Hot chocolate flakes (250 g)', price: 780, currency: 'EUR' },
  ],
};
