import request from 'supertest';
import { API_TOKEN, makeApp } from '../test/helpers.js';
import { buildProduct } from '../test/builders.js';
const { app, db } = makeApp();
const skus = Array.from({ length: 30 }, () => buildProduct(db, { onHand: 100000 }).sku);
const token = API_TOKEN;
async function post(i: number) {
  const res = await request(app).post('/api/v1/orders').set('Authorization', `Bearer ${token}`).send({
    lines: [0, 1, 2].map((k) => ({ sku: skus[(i * 3 + k) % skus.length], quantity: 1 + (k % 2) })),
    customer: { name: 'Åsa Øvergård', email: `bench${i}@example.com`, address: { line1: 'Storgatan 1', postalCode: '111 22', city: 'Stockholm', country: 'SE' } },
    paymentMethod: 'card', paid: true,
  });
  if (res.status !== 201) throw new Error(`${res.status} ${res.text}`);
}
for (let i = 0; i < 300; i++) await post(i);
const t = performance.now(); const c = process.cpuUsage();
for (let i = 300; i < 1300; i++) await post(i);
const cpu = process.cpuUsage(c);
console.log(`${process.cwd()}: ${((performance.now() - t) / 1000).toFixed(3)} ms/order wall, ${((cpu.user + cpu.system) / 1000 / 1000).toFixed(3)} ms/order cpu`);
