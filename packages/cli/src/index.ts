/**
 * mlsd: the command line over every mlsd package, also callable from a program through
 * {@link main}.
 * @packageDocumentation
 */

export { main } from './main.js';
