import type { Section } from '../catalog.ts';

export const cakes: Section = {
  name: 'cakes',
  currency: 'EUR',
  sweets: [
    { id: 'black-forest', name: 'Black Forest gateau (whole)', price: 3200, currency: 'EUR' },
    { id: 'cheesecake', name: 'New York cheesecake slice', price: 480, currency: 'EUR' },
    { id: 'carrot-cake', name: 'Carrot cake slice', price: 420, currency: 'EUR' },
    { id: 'lemon-tart', name: 'Lemon tart', price: 450, currency: 'EUR' },
    { id: 'sachertorte', name: 'Sachertorte slice', price: 520, currency: 'EUR' },
    { id: 'brownie', name: 'Chocolate fudge brownie', price: 300, currency: 'EUR' },
    { id: 'apple-strudel', name: 'Apple strudel slice', price: 390, currency: 'EUR' },
    { id: 'cupcakes', name: 'Box of 6 cupcakes', price: 1500, currency: 'EUR' },
    { id: 'macarons', name: 'Box of 8 macarons', price: 1600, currency: 'EUR' },
  ],
};
