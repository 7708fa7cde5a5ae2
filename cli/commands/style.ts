/**
 * `writeit style list|show|validate`: style primers from the workspace,
 * global and bundled libraries (or any file path). `validate` prints each
 * issue as `file:line:column: severity: message (at path)` and exits 0 when
 * every primer is valid, 1 when one is not, 2 on a usage error.
 */
import type { Command } from "commander";
import { localOnly } from "../command_mode.ts";
import { formatIssue, ValidationError, type ValidationIssue } from "../../engine/errors.ts";
import type { StylePrimer } from "../../engine/style_primer.ts";
import type { Library, LibraryEntry } from "../../engine/library.ts";
import { cliContext } from "../cli_context.ts";
import { checkNamed } from "../named_checks.ts";

interface Checked {
  entry: LibraryEntry;
  primer?: StylePrimer;
  issues: ValidationIssue[];
}

/** The primer loader, imported when a command needs it (keeps `writeit --help` fast). */
const primers = () => import("../../engine/style_primer.ts");

async function check(library: Library, entry: LibraryEntry): Promise<Checked> {
  const { loadStylePrimer } = await primers();
  const { value, issues } = loadStylePrimer(library.read(entry), {
    file: entry.path,
    id: entry.name,
  });
  return { entry, primer: value, issues };
}

function plural(count: number, word: string): string {
  return `${count} ${word}${count === 1 ? "" : "s"}`;
}

function errorCount(issues: ValidationIssue[]): number {
  return issues.filter((issue) => issue.severity === "error").length;
}

/** Registers `style list|show|validate`. */
export function registerStyleCommands(program: Command): void {
  const style = localOnly(program.command("style")).description(
    "list, show and validate style primers",
  );

  style.command("list")
    .description("list style primers (workspace, global and bundled)")
    .option("--json", "print the list as JSON")
    .action(async function (this: Command) {
      const context = cliContext(this);
      const library = await context.library("style");
      const rows = await Promise.all(library.list().map((entry) => check(library, entry)));
      if (context.json) {
        return context.output.printJson(rows.map(({ entry, primer, issues }) => ({
          name: entry.name,
          origin: entry.origin,
          path: entry.path,
          shadows: entry.shadows,
          valid: primer !== undefined,
          title: primer?.name ?? null,
          description: primer?.description ?? null,
          tone: primer?.voiceAttributes.tone ?? null,
          errors: errorCount(issues),
        })));
      }
      const { styles: colours } = context.output;
      context.output.table(rows, [
        { header: "NAME", value: (row) => colours.bold(row.entry.name) },
        { header: "FROM", value: (row) => row.entry.origin },
        {
          header: "STATUS",
          value: (row) =>
            row.primer ? colours.green("ok") : colours.red(plural(errorCount(row.issues), "error")),
        },
        { header: "DESCRIPTION", value: (row) => row.primer?.description ?? "" },
      ], "No style primers found");
    });

  style.command("show <name>")
    .description("show a style primer as the style guide models receive")
    .option("--json", "print the primer as JSON")
    .action(async function (this: Command, name: string) {
      const context = cliContext(this);
      const library = await context.library("style");
      const entry = library.find(name);
      const { primer, issues } = await check(library, entry);
      if (!primer) {
        throw new ValidationError(
          `Style primer "${entry.name}" is invalid: ${plural(errorCount(issues), "error")}`,
          issues,
        );
      }
      if (context.json) {
        return context.output.printJson({ ...primer, origin: entry.origin, path: entry.path });
      }
      context.output.print(
        context.output.styles.dim(`${primer.primerId} (${entry.origin}: ${entry.path})`),
      );
      context.output.print((await primers()).stylePrimerPromptText(primer));
    });

  style.command("validate <names...>")
    .description("check style primers by name or path; prints every problem with file:line:column")
    .option("--json", "print the results as JSON")
    .action(async function (this: Command, names: string[]) {
      const context = cliContext(this);
      const library = await context.library("style");
      const results = await checkNamed(library, names, (entry) => check(library, entry));
      const invalid = results.filter((result) => !result.primer);
      if (context.json) {
        context.output.printJson({
          valid: invalid.length === 0,
          results: results.map(({ entry, primer, issues }) => ({
            name: entry.name,
            path: entry.path,
            valid: primer !== undefined,
            issues,
          })),
        });
        if (invalid.length > 0) context.exitCode = 1;
        return;
      }
      const { styles: colours } = context.output;
      for (const { entry, primer, issues } of results) {
        for (const issue of issues) context.output.print(formatIssue(issue));
        context.output.print(
          primer
            ? `${colours.green("✓")} ${entry.name}: valid`
            : `${colours.red("✗")} ${entry.name}: ${plural(errorCount(issues), "error")}`,
        );
      }
      if (invalid.length > 0) {
        throw new ValidationError(
          `${invalid.length} of ${plural(results.length, "style primer")} failed validation: ${
            invalid.map((result) => result.entry.name).join(", ")
          }`,
        );
      }
    });
}
