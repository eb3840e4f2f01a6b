export interface GoTestResult {
  package: string;
  /** Absent for a package's own outcome. */
  test?: string;
  action: "pass" | "fail" | "skip";
  output: string;
}

export function goTestResults(text: string): { results: GoTestResult[]; plain: string[] };
export function goTestCounts(results: GoTestResult[]): { passed: number; failed: number; skipped: number };
