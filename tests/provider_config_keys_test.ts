import assert from "node:assert/strict";
import { CONFIG_KEYS, resolveConfig } from "../config.ts";
import { BUILT_IN_PROVIDERS } from "../engine/llm/provider_registry.ts";
import {
  PROVIDER_ENVIRONMENT,
  providerSettingsFromEnvironment,
} from "../engine/llm/provider_settings.ts";

// config.ts lists the provider keys itself, so that resolving the configuration never loads the
// provider SDKs; these tests keep that list and the providers' own declarations the same.

Deno.test("CONFIG_KEYS holds every providers.<name>.* key a built-in provider declares", () => {
  const declared = BUILT_IN_PROVIDERS.flatMap((provider) =>
    (provider.settings ?? []).map((setting) => ({
      key: `providers.${provider.name}.${setting.key}`,
      setting,
    }))
  );
  for (const { key, setting } of declared) {
    const spec = CONFIG_KEYS[key];
    assert.ok(spec, `${key} is missing from CONFIG_KEYS`);
    assert.deepEqual(
      { type: spec.type, env: spec.env, default: spec.default, help: spec.help },
      {
        type: setting.secret ? "secret" : "string",
        env: setting.env,
        default: setting.default,
        help: setting.help,
      },
      key,
    );
  }
  const listed = Object.keys(CONFIG_KEYS).filter((key) =>
    /^providers\.[^.]+\.[^.]+$/.test(key) &&
    BUILT_IN_PROVIDERS.some((provider) => key.startsWith(`providers.${provider.name}.`))
  );
  assert.deepEqual(listed.sort(), declared.map(({ key }) => key).sort());
});

Deno.test("providerSettingsFromEnvironment() reads the variables the built-in providers declare", () => {
  const environment: Record<string, string> = {};
  for (const provider of BUILT_IN_PROVIDERS) {
    for (const setting of provider.settings ?? []) {
      environment[setting.env] = `${provider.name}-${setting.key}`;
    }
  }
  const settings = providerSettingsFromEnvironment(
    resolveConfig({ home: "/nonexistent-writeit-home", env: environment }).providerEnvironment(),
  );
  for (const name of ["openai", "anthropic", "local"] as const) {
    assert.deepEqual(settings[name], { apiKey: `${name}-api_key`, baseUrl: `${name}-base_url` });
    assert.deepEqual(
      PROVIDER_ENVIRONMENT[name],
      Object.fromEntries(
        BUILT_IN_PROVIDERS.find((provider) => provider.name === name)!.settings!.map((
          setting,
        ) => [setting.key === "api_key" ? "apiKey" : "baseUrl", setting.env]),
      ),
    );
  }
});
