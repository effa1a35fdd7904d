import {createRequire as __k8sCreateRequire} from 'node:module'; const require = __k8sCreateRequire(import.meta.url);

// source/errors.ts
var UserError = class extends Error {
  constructor(message, hint, exitCode = 2) {
    super(message);
    this.hint = hint;
    this.exitCode = exitCode;
    this.name = "UserError";
  }
  hint;
  exitCode;
};
var ProfileError = class extends UserError {
  constructor(problems, source) {
    super(
      `${source}: invalid profile
${problems.map((p) => `  ${p.field}: ${p.message}`).join("\n")}`,
      "fix the fields above and run again; nothing was written",
      2
    );
    this.problems = problems;
    this.name = "ProfileError";
  }
  problems;
};
function formatError(error) {
  if (error instanceof UserError) {
    return error.hint ? `error: ${error.message}
hint: ${error.hint}` : `error: ${error.message}`;
  }
  return `error: ${error instanceof Error ? error.stack ?? error.message : String(error)}`;
}

export {
  UserError,
  ProfileError,
  formatError
};
