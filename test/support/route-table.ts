import type { FastifyInstance } from 'fastify';

export interface RouteEntry {
  method: string;
  /** The path as registered, e.g. `/api/v1/lots/:cig/contributions/:fiscalCode`. */
  path: string;
  /** Its parameters in order, e.g. `['cig', 'fiscalCode']`. */
  params: string[];
}

const TREE = /^((?:│ {3}| {4})*)(?:├── |└── )(.+?) \(([A-Z, ]+)\)$/;

/**
 * Every route the app serves (API, portal, SOAP, docs), from Fastify's own route tree
 * (`printRoutes({ commonPrefix: false })`: one node a line, indented four characters a level, a
 * node's text appended to its parent's), HEAD left out. Each route read back is checked with
 * `hasRoute`, so a change of the tree's format fails here instead of dropping routes silently.
 */
export function routeTable(app: FastifyInstance): RouteEntry[] {
  const stack: string[] = [];
  const routes: RouteEntry[] = [];
  for (const line of app.printRoutes({ commonPrefix: false }).split('\n')) {
    if (!line.trim()) continue;
    const match = TREE.exec(line);
    if (!match) throw new Error(`route table: cannot read the line ${JSON.stringify(line)}`);
    const depth = match[1]!.length / 4;
    stack.length = depth;
    const path = (stack[depth - 1] ?? '') + match[2]!;
    stack.push(path);
    for (const method of match[3]!.split(', ')) {
      if (method === 'HEAD') continue;
      // (A wildcard's registered form differs from its printed one: `/docs/*`.)
      if (!path.includes('*') && !app.hasRoute({ method: method as 'GET', url: path }))
        throw new Error(`route table: read ${method} ${path}, which the app does not serve`);
      routes.push({ method, path, params: [...path.matchAll(/:(\w+)/g)].map((m) => m[1]!) });
    }
  }
  if (routes.length < 50) throw new Error(`route table: only ${routes.length} routes read`);
  return routes;
}
