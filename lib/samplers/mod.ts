/**
 * likeness/samplers (placeholder until the folder is built).
 *
 * @module
 */
export {};
