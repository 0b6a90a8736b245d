/**
 * likeness/backbones (placeholder until the folder is built).
 *
 * @module
 */
export {};
