/**
 * Opens text in the writer's editor ($VISUAL, else $EDITOR, else `vi`) on a
 * temporary file and returns what was saved. The editor command may carry
 * arguments (`code --wait`); it runs through `sh` with the file as its last
 * argument and the terminal handed over.
 */
import { ValidationError } from "../../engine/errors.ts";

/** The editor command from the environment. */
export function editorCommand(env: Record<string, string | undefined>): string {
  return env.VISUAL?.trim() || env.EDITOR?.trim() || "vi";
}

/** Lets the writer edit `text`; returns the saved text (unchanged when the editor quit without saving). */
export async function editText(
  text: string,
  options: { env: Record<string, string | undefined>; name?: string },
): Promise<string> {
  const directory = await Deno.makeTempDir({ prefix: "writeit-edit-" });
  const file = `${directory}/${options.name ?? "candidate"}.md`;
  try {
    await Deno.writeTextFile(file, text);
    const editor = editorCommand(options.env);
    const child = new Deno.Command("sh", {
      args: ["-c", `${editor} "$1"`, "writeit-editor", file],
      stdin: "inherit",
      stdout: "inherit",
      stderr: "inherit",
    }).spawn();
    const status = await child.status;
    if (!status.success) {
      throw new ValidationError(
        `The editor "${editor}" exited with code ${status.code}: the text was not changed (set $EDITOR to another editor)`,
      );
    }
    return await Deno.readTextFile(file);
  } finally {
    await Deno.remove(directory, { recursive: true });
  }
}
