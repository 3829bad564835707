/** Exit codes are part of the CLI's contract with scripts and pipelines (see README). */
export const ExitCode = {
  Done: 0,
  /** A job failed or was canceled, or a request was refused for a reason other than access. */
  Failed: 1,
  /** `plan --exit-code` found changes. */
  Changes: 2,
  Usage: 3,
  Auth: 4,
  Unreachable: 5,
  Interrupted: 130,
} as const;
export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];

/** An error the CLI reports as one `error: ...` line and an exit code, never a stack trace. */
export class CliError extends Error {
  constructor(
    readonly exitCode: ExitCode,
    message: string,
    /** The server's problem document, when there was one. */
    readonly problem?: Record<string, unknown>,
  ) {
    super(message);
  }
}

export class UsageError extends CliError {
  constructor(message: string) {
    super(ExitCode.Usage, message);
  }
}

/** `<title>: <detail>` from a problem document, or whichever of them it has. */
export function describeProblem(problem: Record<string, unknown> | null | undefined, fallback: string): string {
  const title = typeof problem?.title === 'string' ? problem.title : undefined;
  const detail = typeof problem?.detail === 'string' ? problem.detail : undefined;
  if (title && detail) return `${title}: ${detail}`;
  return title ?? detail ?? fallback;
}
