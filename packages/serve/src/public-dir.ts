import { fileURLToPath } from 'node:url';

/** Folder of the web page (`index.html`, `app.js`, `style.css`), beside `src/` and `dist/`. */
export const PUBLIC_DIR = fileURLToPath(new URL('../public/', import.meta.url));
