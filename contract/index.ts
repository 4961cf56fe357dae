export * from './filters.schema.js';
export * from './dashboards.schema.js';
export * from './widget-data.schema.js';
export * from './errors.schema.js';
export * from './events.schema.js';
export * from './session.schema.js';
export * from './admin.schema.js';
export * from './jobs.schema.js';
