/** One registered route: its method and a matcher for concrete paths. */
interface RoutePattern {
  method: string;
  matches: RegExp;
}

/** A route pattern (`/v1/images/:id/thumbnail`, `/files/*`) as a regular expression. */
function patternToRegExp(url: string): RegExp {
  let source = '';
  for (const segment of url.split('/')) {
    if (source !== '' || segment !== '') source += '\\/';
    if (segment.startsWith(':')) source += '[^/]+';
    else if (segment === '*') source += '.*';
    else source += segment.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  }
  return new RegExp(`^${source === '' ? '\\/' : source}$`);
}

/**
 * The methods each path takes, for 405 answers. Paths are matched against the registered
 * patterns here rather than with fastify's `hasRoute`, which reads its argument as a pattern
 * itself: a request path holding `*` or `:` made it throw (a 500) or match the wrong route.
 */
export class RouteMethods {
  readonly #routes: RoutePattern[] = [];

  /** Records a route (from fastify's `onRoute` hook). */
  add(method: string | string[], url: string): void {
    const matches = patternToRegExp(url);
    for (const one of Array.isArray(method) ? method : [method]) {
      if (one !== 'HEAD') this.#routes.push({ method: one, matches });
    }
  }

  /** Methods registered for a concrete request path (without its query string). */
  allowed(path: string): string[] {
    const methods = new Set<string>();
    for (const route of this.#routes) if (route.matches.test(path)) methods.add(route.method);
    return [...methods].sort();
  }
}
