export * from './accounts.js';
export * from './auth.js';
export * from './clients.js';
export * from './media.js';
export * from './notify.js';
export * from './posts.js';
export * from './rules.js';
export * from './system.js';
