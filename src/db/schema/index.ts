export * from './catalog.js';
export * from './customers.js';
export * from './orders.js';
export * from './users.js';
export * from './pack.js';
export * from './shipping.js';
export * from './notifications.js';
export * from './system.js';
