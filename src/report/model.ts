/** The result model lives below every stage, in src/model.ts; the report stage re-exports it under its old path. */
export * from '../model.js';
