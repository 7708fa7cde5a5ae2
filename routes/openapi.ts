/**
 * The OpenAPI 3.1 document of the REST API, generated from the same zod
 * schemas that validate requests and responses (`z.toJSONSchema`: request
 * sides as the schema's input, responses as its output); routes/api_reference.ts
 * draws it at `/api/docs`. Shared schemas (those with a `.meta({ id })`) and
 * recursive ones become `components.schemas` entries; every 4xx/5xx answer is
 * the problem+json document of server/problem.ts; bearer auth is the default
 * security, `public` routes opt out.
 *
 * @example
 * ```ts
 * const document = openApiDocument([
 *   { method: "get", path: "/api/runs/{id}", summary: "Get a run", tags: ["runs"], response: RunResponse },
 * ], { title: "WriteIt API", version });
 * app.get("/api/openapi.json", (context) => context.json(document));
 * ```
 */
import { z } from "zod";

/** An extra answer of a route. */
export interface RouteResponseDoc {
  /** Default: a description derived from the status. */
  description?: string;
  /** Body schema; 4xx/5xx without one are problem documents. */
  schema?: z.ZodType;
  /** Default `application/json`. */
  contentType?: string;
}

/** One operation of the API. */
export interface RouteDoc {
  method: "get" | "post" | "put" | "delete";
  /** OpenAPI style: `/api/runs/{id}`. */
  path: string;
  summary: string;
  description?: string;
  tags?: string[];
  /** Default: derived from method and path, such as `getApiRunsById`. */
  operationId?: string;
  /** Types of the `{name}` path parameters; unlisted ones are strings. */
  params?: z.ZodObject;
  query?: z.ZodObject;
  body?: z.ZodType;
  /** Content types accepted for `body` (default `["application/json"]`). */
  bodyContentTypes?: string[];
  response?: z.ZodType;
  /** Content type of `response` (default `application/json`). */
  responseContentType?: string;
  /** Status of the main answer (default 200). */
  status?: number;
  /** Further answers by status (202 variants, documented 404/409/422, …). */
  responses?: Record<number, RouteResponseDoc>;
  /** True for routes that need no token (`/api/health`). */
  public?: boolean;
}

/** The `info` of the document. */
export interface OpenApiInfo {
  title: string;
  version: string;
  description?: string;
}

/** A JSON Schema object (draft 2020-12) as embedded in the document. */
export type JsonSchema = Record<string, unknown>;

/** The generated document (plain JSON). */
export interface OpenApiDocument {
  openapi: "3.1.0";
  info: OpenApiInfo;
  tags: { name: string }[];
  paths: Record<string, Record<string, unknown>>;
  components: {
    schemas: Record<string, JsonSchema>;
    responses: Record<string, unknown>;
    securitySchemes: Record<string, unknown>;
  };
  security: Record<string, string[]>[];
}

const PROBLEM_SCHEMA: JsonSchema = {
  type: "object",
  description: "An error, as RFC 9457 problem details.",
  properties: {
    type: { type: "string", description: "A URI naming the kind of problem." },
    title: { type: "string" },
    status: { type: "integer", minimum: 400, maximum: 599 },
    detail: { type: "string", description: "What went wrong and how to fix it." },
    code: { type: "string", description: "Stable machine-readable code, such as `not_found`." },
    issues: {
      type: "array",
      description: "Every validation problem found (422).",
      items: { type: "object", additionalProperties: true },
    },
  },
  required: ["type", "title", "status", "detail", "code"],
};

const STATUS_TEXT: Record<number, string> = {
  200: "OK",
  201: "Created",
  202: "Accepted; the work continues in the background",
  204: "No content",
  400: "Malformed request",
  401: "Missing or wrong bearer token",
  404: "Not found",
  409: "Conflict with the current state",
  413: "Request body too large",
  415: "Unsupported content type",
  422: "Validation failed",
  429: "Rate limited; see Retry-After",
  500: "Server error",
};

type Io = "input" | "output";

/** Converts zod schemas and gathers shared and recursive parts into components. */
class SchemaCollector {
  readonly components: Record<string, JsonSchema> = { Problem: PROBLEM_SCHEMA };

  /** The JSON Schema of `schema`, never throwing; `name` names it if it must become a component. */
  convert(schema: z.ZodType, io: Io, name: string): JsonSchema {
    let converted: JsonSchema;
    let note: string | undefined;
    try {
      converted = z.toJSONSchema(schema, { io, target: "draft-2020-12" }) as JsonSchema;
    } catch (error) {
      note = error instanceof Error ? error.message : String(error);
      try {
        converted = z.toJSONSchema(schema, {
          io,
          target: "draft-2020-12",
          unrepresentable: "any",
        }) as JsonSchema;
      } catch {
        converted = {};
      }
    }
    const { $schema: _dialect, $defs = {}, ...root } = converted as JsonSchema & {
      $defs?: Record<string, JsonSchema>;
    };
    if (note) {
      root.description = [
        root.description,
        `Not fully representable in JSON Schema (${note}); those parts accept any value.`,
      ].filter(Boolean).join(" ");
    }
    const names = this.#place($defs, root, io, name);
    const rootIsRecursive = containsRef(root, "#");
    const rewritten = rewriteRefs(root, names) as JsonSchema;
    if (!rootIsRecursive) return rewritten;
    return { $ref: componentRef(names.get("#")!) };
  }

  /** Chooses component names for the definitions (and a recursive root) and stores them. */
  #place(defs: Record<string, JsonSchema>, root: JsonSchema, io: Io, name: string) {
    const proposed = new Map<string, string>();
    for (const key of Object.keys(defs)) {
      proposed.set(key, key.startsWith("__schema") ? `${name}_${key.slice(8)}` : safeName(key));
    }
    if (containsRef(root, "#")) proposed.set("#", name);
    const entries = (names: Map<string, string>) => {
      const result: [string, JsonSchema][] = [];
      for (const [key, definition] of Object.entries(defs)) {
        result.push([names.get(key)!, rewriteRefs(definition, names) as JsonSchema]);
      }
      if (names.has("#")) result.push([names.get("#")!, rewriteRefs(root, names) as JsonSchema]);
      return result;
    };
    const names = new Map(proposed);
    for (let attempt = 0; attempt <= proposed.size + 1; attempt++) {
      const conflict = entries(names).find(([component, definition]) =>
        component in this.components &&
        JSON.stringify(this.components[component]) !== JSON.stringify(definition)
      );
      if (!conflict) break;
      const key = [...names].find(([, component]) => component === conflict[0])![0];
      names.set(key, this.#freeName(proposed.get(key)!, io, new Set(names.values())));
    }
    for (const [component, definition] of entries(names)) this.components[component] = definition;
    return names;
  }

  #freeName(base: string, io: Io, taken: Set<string>): string {
    const suffix = io === "input" ? "Input" : "Output";
    for (let index = 1;; index++) {
      const candidate = index === 1 ? `${base}${suffix}` : `${base}${suffix}${index}`;
      if (!(candidate in this.components) && !taken.has(candidate)) return candidate;
    }
  }
}

function safeName(name: string): string {
  return name.replace(/[^A-Za-z0-9._-]/g, "_") || "Schema";
}

function componentRef(name: string): string {
  return `#/components/schemas/${name}`;
}

function containsRef(value: unknown, target: string): boolean {
  if (Array.isArray(value)) return value.some((item) => containsRef(item, target));
  if (value === null || typeof value !== "object") return false;
  for (const [key, item] of Object.entries(value)) {
    if (key === "$ref" && item === target) return true;
    if (containsRef(item, target)) return true;
  }
  return false;
}

function rewriteRefs(value: unknown, names: Map<string, string>): unknown {
  if (Array.isArray(value)) return value.map((item) => rewriteRefs(item, names));
  if (value === null || typeof value !== "object") return value;
  const result: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(value)) {
    if (key === "$ref" && typeof item === "string") {
      const target = item === "#" ? "#" : item.replace(/^#\/\$defs\//, "");
      const name = names.get(target);
      result[key] = name ? componentRef(name) : item;
    } else {
      result[key] = rewriteRefs(item, names);
    }
  }
  return result;
}

/** `getApiRunsById` for `get /api/runs/{id}`. */
function operationIdOf(route: RouteDoc): string {
  const words = route.path.split("/").filter(Boolean).map((segment) => {
    const parameter = /^\{(.+)\}$/.exec(segment);
    return parameter ? `By ${parameter[1]}` : segment;
  }).join(" ").split(/[^A-Za-z0-9]+/).filter(Boolean);
  return route.method + words.map((word) => word[0].toUpperCase() + word.slice(1)).join("");
}

function parametersOf(
  route: RouteDoc,
  collector: SchemaCollector,
  operationId: string,
): Record<string, unknown>[] {
  const pathNames = [...route.path.matchAll(/\{([^}]+)\}/g)].map((match) => match[1]);
  const parameters: Record<string, unknown>[] = [];
  const typed = route.params
    ? objectProperties(collector.convert(route.params, "input", `${operationId}Params`))
    : undefined;
  for (const name of Object.keys(typed?.properties ?? {})) {
    if (!pathNames.includes(name)) {
      throw new TypeError(
        `Route ${route.method.toUpperCase()} ${route.path} types path parameter "${name}" that its path lacks: add {${name}} to the path or remove it from params`,
      );
    }
  }
  for (const name of pathNames) {
    const schema = typed?.properties[name] ?? { type: "string" };
    parameters.push({ name, in: "path", required: true, schema, ...describe(schema) });
  }
  if (route.query) {
    const query = objectProperties(
      collector.convert(route.query, "input", `${operationId}Query`),
    );
    for (const [name, schema] of Object.entries(query.properties)) {
      parameters.push({
        name,
        in: "query",
        required: query.required.includes(name),
        schema,
        ...describe(schema),
      });
    }
  }
  return parameters;
}

function describe(schema: JsonSchema): { description?: string } {
  return typeof schema.description === "string" ? { description: schema.description } : {};
}

function objectProperties(schema: JsonSchema): {
  properties: Record<string, JsonSchema>;
  required: string[];
} {
  return {
    properties: (schema.properties ?? {}) as Record<string, JsonSchema>,
    required: (schema.required ?? []) as string[],
  };
}

function problemContent() {
  return { "application/problem+json": { schema: { $ref: componentRef("Problem") } } };
}

function responsesOf(route: RouteDoc, collector: SchemaCollector, operationId: string) {
  const status = route.status ?? 200;
  const all: Record<number, RouteResponseDoc> = {
    [status]: { schema: route.response, contentType: route.responseContentType },
    ...route.responses,
  };
  if (route.response && route.responses?.[status]) {
    all[status] = { ...route.responses[status], schema: route.response };
  }
  const responses: Record<string, unknown> = {};
  for (const [code, answer] of Object.entries(all)) {
    const numeric = Number(code);
    const description = answer.description ?? STATUS_TEXT[numeric] ?? `Status ${code}`;
    if (answer.schema) {
      const schema = collector.convert(answer.schema, "output", `${operationId}Response${code}`);
      responses[code] = {
        description,
        content: { [answer.contentType ?? "application/json"]: { schema } },
      };
    } else if (numeric >= 400) {
      responses[code] = { description, content: problemContent() };
    } else {
      responses[code] = { description };
    }
  }
  responses["4XX"] = { $ref: "#/components/responses/Problem" };
  responses["5XX"] = { $ref: "#/components/responses/Problem" };
  return responses;
}

/**
 * Builds the OpenAPI 3.1 document of `routes`. Throws TypeError for a route
 * list that cannot be documented: `:name` instead of `{name}`, a duplicate
 * method and path, or typed params the path lacks. Schemas zod cannot
 * express (transforms on the response side, custom types) never throw: those
 * parts become `{}` and the schema's description says so.
 */
export function openApiDocument(routes: RouteDoc[], info: OpenApiInfo): OpenApiDocument {
  const collector = new SchemaCollector();
  const paths: Record<string, Record<string, unknown>> = {};
  const tags: string[] = [];
  const operationIds = new Set<string>();
  for (const route of routes) {
    if (!route.path.startsWith("/") || /\/:/.test(route.path)) {
      throw new TypeError(
        `Route path "${route.path}" is not OpenAPI style: start with "/" and write parameters as {name}, not :name`,
      );
    }
    const item = paths[route.path] ??= {};
    if (item[route.method]) {
      throw new TypeError(
        `Route ${route.method.toUpperCase()} ${route.path} is documented twice: keep one`,
      );
    }
    let operationId = route.operationId ?? operationIdOf(route);
    for (let index = 2; operationIds.has(operationId); index++) {
      operationId = `${route.operationId ?? operationIdOf(route)}${index}`;
    }
    operationIds.add(operationId);
    for (const tag of route.tags ?? []) if (!tags.includes(tag)) tags.push(tag);
    const operation: Record<string, unknown> = {
      operationId,
      summary: route.summary,
      ...(route.description ? { description: route.description } : {}),
      ...(route.tags?.length ? { tags: route.tags } : {}),
    };
    const parameters = parametersOf(route, collector, operationId);
    if (parameters.length) operation.parameters = parameters;
    if (route.body) {
      const schema = collector.convert(route.body, "input", `${operationId}Body`);
      const types = route.bodyContentTypes ?? ["application/json"];
      operation.requestBody = {
        required: !route.body.safeParse(undefined).success,
        content: Object.fromEntries(types.map((type) => [type, { schema }])),
      };
    }
    operation.responses = responsesOf(route, collector, operationId);
    if (route.public) operation.security = [];
    item[route.method] = operation;
  }
  return {
    openapi: "3.1.0",
    info,
    tags: tags.map((name) => ({ name })),
    paths,
    components: {
      schemas: collector.components,
      responses: {
        Problem: { description: "An error as problem+json", content: problemContent() },
      },
      securitySchemes: {
        bearerAuth: {
          type: "http",
          scheme: "bearer",
          description: "The server's WRITEIT_API_TOKEN, required when one is configured.",
        },
      },
    },
    security: [{ bearerAuth: [] }],
  };
}

/**
 * Every route under `/api/` that acts on a workspace, twice: as given (the
 * default workspace) and under `/api/workspaces/{workspace}/…`.
 */
export function withWorkspaceRoutes(routes: RouteDoc[]): RouteDoc[] {
  return routes.flatMap((route) => {
    if (!route.path.startsWith("/api/")) return [route];
    const scoped: RouteDoc = {
      ...route,
      path: `/api/workspaces/{workspace}/${route.path.slice(5)}`,
      operationId: route.operationId ? `${route.operationId}InWorkspace` : undefined,
      params: route.params
        ? route.params.extend({ workspace: z.string().describe("Workspace name") })
        : undefined,
    };
    return [route, scoped];
  });
}
