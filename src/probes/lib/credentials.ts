/**
 * The credential engine's public face for the default-credential probes: candidates (candidates.ts), the
 * one guessing engine (guessing.ts), its evidence (credential-evidence.ts) and its assessment
 * (credential-assess.ts). docs/CREDENTIALS.md describes the whole flow.
 */
export * from './candidates.js';
export * from './guessing.js';
export * from './credential-evidence.js';
export * from './credential-assess.js';
