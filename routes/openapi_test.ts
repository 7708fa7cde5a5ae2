import assert from "node:assert/strict";
import { z } from "zod";
import {
  type OpenApiDocument,
  openApiDocument,
  type RouteDoc,
  withWorkspaceRoutes,
} from "./openapi.ts";

const Usage = z.object({
  inputTokens: z.number().int(),
  outputTokens: z.number().int(),
  costUsd: z.number(),
}).meta({ id: "Usage" });

const RunSummary = z.object({
  id: z.string(),
  status: z.enum(["initializing", "running", "paused", "completed", "failed", "cancelled"]),
  pipeline: z.string(),
  parentRunId: z.string().nullable(),
  usage: Usage,
}).meta({ id: "RunSummary" });

interface Branch {
  runId: string;
  children: Branch[];
}
const BranchNode: z.ZodType<Branch> = z.object({
  runId: z.string(),
  get children() {
    return z.array(BranchNode);
  },
});

const Choice = z.union([
  z.object({ stepId: z.string(), index: z.number().int().min(0) }),
  z.object({ stepId: z.string(), responseId: z.string() }),
]);

const CreateRun = z.object({
  pipeline: z.string().min(1),
  inputs: z.record(z.string(), z.union([z.string(), z.number(), z.boolean()])).optional(),
  model: z.string().optional(),
  start: z.boolean().default(false),
  usageLimit: Usage.optional(),
});

const routes: RouteDoc[] = [
  {
    method: "get",
    path: "/api/health",
    summary: "Health",
    tags: ["operations"],
    public: true,
    response: z.object({ status: z.literal("ok"), version: z.string(), workspace: z.string() }),
  },
  {
    method: "get",
    path: "/api/runs",
    summary: "List runs",
    tags: ["runs"],
    query: z.object({
      status: z.enum(["running", "completed"]).optional().describe("Only runs in this status"),
      limit: z.coerce.number().int().min(1).max(500).optional(),
      pipeline: z.string().optional(),
    }),
    response: z.object({
      runs: z.array(RunSummary),
      total: z.number().int(),
      nextOffset: z.number().int().nullable(),
    }),
  },
  {
    method: "post",
    path: "/api/runs",
    summary: "Create a run",
    tags: ["runs"],
    body: CreateRun,
    status: 201,
    response: z.object({ run: RunSummary }),
    responses: {
      202: {
        description: "Created and started",
        schema: z.object({ run: RunSummary, driving: z.literal(true) }),
      },
      422: { description: "Invalid inputs" },
    },
  },
  {
    method: "get",
    path: "/api/runs/{id}",
    summary: "Get a run",
    tags: ["runs"],
    query: z.object({ at: z.coerce.number().int().optional() }),
    response: z.object({ run: RunSummary, fetchedAt: z.date().optional() }),
  },
  {
    method: "post",
    path: "/api/runs/{id}/select",
    summary: "Select a candidate",
    tags: ["runs", "actions"],
    params: z.object({ id: z.string().describe("Run id") }),
    body: Choice,
    response: z.object({ run: RunSummary, driving: z.boolean() }),
  },
  {
    method: "get",
    path: "/api/runs/{id}/tree",
    summary: "Branch tree",
    tags: ["runs"],
    response: BranchNode,
  },
  {
    method: "get",
    path: "/api/runs/{id}/steps/{stepId}/length",
    summary: "Transformed answer",
    tags: ["runs"],
    response: z.object({ text: z.string().transform((text) => text.length) }),
  },
  {
    method: "get",
    path: "/api/runs/{id}/export",
    summary: "Export a run",
    tags: ["runs"],
    query: z.object({ format: z.enum(["markdown", "json", "yaml", "html"]).default("markdown") }),
    response: z.string(),
    responseContentType: "text/markdown",
  },
  {
    method: "post",
    path: "/api/pipelines/validate",
    summary: "Validate a pipeline",
    body: z.object({ yaml: z.string(), name: z.string().optional() }).optional(),
    bodyContentTypes: ["application/json", "text/yaml"],
    response: z.object({
      valid: z.boolean(),
      issues: z.array(z.object({ severity: z.enum(["error", "warning"]), message: z.string() })),
      meta: z.custom<unknown>(() => true),
    }),
  },
];

function resolvePointer(document: unknown, ref: string): unknown {
  assert.ok(ref.startsWith("#/"), `local ref: ${ref}`);
  let node: unknown = document;
  for (const raw of ref.slice(2).split("/")) {
    const key = raw.replace(/~1/g, "/").replace(/~0/g, "~");
    assert.ok(node && typeof node === "object" && key in node, `unresolvable $ref ${ref}`);
    node = (node as Record<string, unknown>)[key];
  }
  return node;
}

/** Structural checks an OpenAPI 3.1 consumer relies on. */
function assertValidDocument(document: OpenApiDocument): void {
  assert.deepEqual(JSON.parse(JSON.stringify(document)), document, "plain JSON");
  assert.equal(document.openapi, "3.1.0");
  assert.ok(document.info.title && document.info.version);
  const walk = (value: unknown, where: string) => {
    if (Array.isArray(value)) {
      return value.forEach((item, index) => walk(item, `${where}/${index}`));
    }
    if (!value || typeof value !== "object") return;
    for (const [key, item] of Object.entries(value)) {
      assert.ok(key !== "$defs" && key !== "$schema", `leftover ${key} at ${where}`);
      if (key === "$ref") {
        assert.equal(typeof item, "string");
        resolvePointer(document, item as string);
      }
      walk(item, `${where}/${key}`);
    }
  };
  walk(document, "#");
  for (const name of Object.keys(document.components.schemas)) {
    assert.match(name, /^[A-Za-z0-9._-]+$/);
  }
  const operationIds = new Set<string>();
  for (const [path, item] of Object.entries(document.paths)) {
    const names = [...path.matchAll(/\{([^}]+)\}/g)].map((match) => match[1]);
    for (const [method, value] of Object.entries(item)) {
      assert.ok(["get", "post", "put", "delete"].includes(method));
      const operation = value as Record<string, unknown> & {
        parameters?: { name: string; in: string; required: boolean; schema: unknown }[];
        responses: Record<string, { description?: string; $ref?: string }>;
      };
      assert.ok(!operationIds.has(operation.operationId as string), "unique operationId");
      operationIds.add(operation.operationId as string);
      const pathParameters = (operation.parameters ?? []).filter((entry) => entry.in === "path");
      assert.deepEqual(pathParameters.map((entry) => entry.name).sort(), [...names].sort());
      assert.ok(pathParameters.every((entry) => entry.required === true));
      const keys = (operation.parameters ?? []).map((entry) => `${entry.in}:${entry.name}`);
      assert.equal(new Set(keys).size, keys.length, "no duplicate parameters");
      assert.ok(operation.responses["4XX"] && operation.responses["5XX"]);
      for (const response of Object.values(operation.responses)) {
        assert.ok(response.description || response.$ref);
      }
      for (const requirement of (operation.security ?? document.security) as object[]) {
        for (const scheme of Object.keys(requirement)) {
          assert.ok(scheme in document.components.securitySchemes);
        }
      }
    }
  }
}

const info = { title: "WriteIt API", version: "0.1.0" };

Deno.test("openApiDocument() produces a structurally valid document", () => {
  const document = openApiDocument(withWorkspaceRoutes(routes), info);
  assertValidDocument(document);
  assert.equal(Object.keys(document.paths).length, 16, "8 paths, each also under a workspace");
  assert.ok(document.paths["/api/workspaces/{workspace}/runs/{id}/select"].post);
  assert.deepEqual(document.tags.map((tag) => tag.name), ["operations", "runs", "actions"]);
});

Deno.test("openApiDocument() declares path and query parameters from the schemas", () => {
  const document = openApiDocument(routes, info);
  const list = document.paths["/api/runs"].get as { parameters: Record<string, unknown>[] };
  assert.deepEqual(list.parameters.map((entry) => [entry.name, entry.in, entry.required]), [
    ["status", "query", false],
    ["limit", "query", false],
    ["pipeline", "query", false],
  ]);
  assert.deepEqual(list.parameters[0].schema, {
    type: "string",
    enum: ["running", "completed"],
    description: "Only runs in this status",
  });
  assert.equal(list.parameters[0].description, "Only runs in this status");
  const select = document.paths["/api/runs/{id}/select"].post as {
    parameters: Record<string, unknown>[];
  };
  assert.deepEqual(select.parameters, [{
    name: "id",
    in: "path",
    required: true,
    schema: { type: "string", description: "Run id" },
    description: "Run id",
  }]);
  const length = document.paths["/api/runs/{id}/steps/{stepId}/length"].get as {
    parameters: { name: string }[];
  };
  assert.deepEqual(length.parameters.map((entry) => entry.name), ["id", "stepId"]);
});

Deno.test("openApiDocument() shares ids, unions, records and enums as JSON Schema", () => {
  const document = openApiDocument(routes, info);
  const schemas = document.components.schemas;
  assert.deepEqual(Object.keys(schemas).sort(), [
    "Problem",
    "RunSummary",
    "Usage",
    "UsageInput",
    "getApiRunsByIdTreeResponse200",
  ]);
  assert.deepEqual((schemas.RunSummary.properties as Record<string, unknown>).usage, {
    $ref: "#/components/schemas/Usage",
  });
  assert.equal(schemas.UsageInput.additionalProperties, undefined, "input side is open");
  assert.equal(schemas.Usage.additionalProperties, false, "output side is closed");
  const create = document.paths["/api/runs"].post as {
    requestBody: {
      required: boolean;
      content: Record<string, { schema: Record<string, unknown> }>;
    };
    responses: Record<string, { content?: Record<string, { schema: unknown }> }>;
  };
  assert.equal(create.requestBody.required, true);
  const body = create.requestBody.content["application/json"].schema;
  assert.deepEqual(
    body.required,
    ["pipeline"],
    "optional and defaulted fields are optional on input",
  );
  const properties = body.properties as Record<string, Record<string, unknown>>;
  assert.deepEqual(properties.inputs.additionalProperties, {
    type: ["string", "number", "boolean"],
  });
  assert.deepEqual(properties.inputs.propertyNames, { type: "string" });
  assert.deepEqual(properties.usageLimit, { $ref: "#/components/schemas/UsageInput" });
  assert.ok(create.responses["201"].content && create.responses["202"].content);
  assert.deepEqual(create.responses["422"].content, {
    "application/problem+json": { schema: { $ref: "#/components/schemas/Problem" } },
  });
  const select = document.paths["/api/runs/{id}/select"].post as {
    requestBody: { content: Record<string, { schema: { anyOf: unknown[] } }> };
  };
  assert.equal(select.requestBody.content["application/json"].schema.anyOf.length, 2);
  const validate = document.paths["/api/pipelines/validate"].post as {
    requestBody: { required: boolean; content: Record<string, unknown> };
  };
  assert.equal(validate.requestBody.required, false);
  assert.deepEqual(Object.keys(validate.requestBody.content), ["application/json", "text/yaml"]);
  const exported = document.paths["/api/runs/{id}/export"].get as {
    responses: Record<string, { content: Record<string, unknown> }>;
  };
  assert.deepEqual(exported.responses["200"].content, {
    "text/markdown": { schema: { type: "string" } },
  });
  const health = document.paths["/api/health"].get as { security: unknown[] };
  assert.deepEqual(health.security, []);
});

Deno.test("openApiDocument() survives recursive and unrepresentable schemas", () => {
  const document = openApiDocument(routes, info);
  const tree = document.paths["/api/runs/{id}/tree"].get as {
    responses: Record<string, { content: Record<string, { schema: unknown }> }>;
  };
  assert.deepEqual(tree.responses["200"].content["application/json"].schema, {
    $ref: "#/components/schemas/getApiRunsByIdTreeResponse200",
  });
  const node = document.components.schemas.getApiRunsByIdTreeResponse200 as {
    properties: { children: { items: unknown } };
  };
  assert.deepEqual(node.properties.children.items, {
    $ref: "#/components/schemas/getApiRunsByIdTreeResponse200",
  });
  const schemaOf = (path: string, method: "get" | "post") =>
    (document.paths[path][method] as {
      responses: Record<string, { content: Record<string, { schema: Record<string, unknown> }> }>;
    }).responses["200"].content["application/json"].schema;
  const transformed = schemaOf("/api/runs/{id}/steps/{stepId}/length", "get");
  assert.deepEqual((transformed.properties as Record<string, unknown>).text, {});
  assert.match(transformed.description as string, /Not fully representable.*Transforms/);
  assert.match(schemaOf("/api/pipelines/validate", "post").description as string, /Custom/);
  assert.match(schemaOf("/api/runs/{id}", "get").description as string, /Date/);
});

Deno.test("openApiDocument() refuses routes it cannot document", () => {
  assert.throws(
    () => openApiDocument([{ method: "get", path: "/api/runs/:id", summary: "x" }], info),
    /not OpenAPI style.*\{name\}/,
  );
  assert.throws(
    () =>
      openApiDocument([
        { method: "get", path: "/api/runs", summary: "a" },
        { method: "get", path: "/api/runs", summary: "b" },
      ], info),
    /documented twice/,
  );
  assert.throws(
    () =>
      openApiDocument([{
        method: "get",
        path: "/api/runs/{id}",
        summary: "x",
        params: z.object({ runId: z.string() }),
      }], info),
    /"runId".*add \{runId\}/,
  );
});
