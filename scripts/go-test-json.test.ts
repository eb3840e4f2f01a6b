import { describe, expect, it } from "vitest";
import { goTestCounts, goTestResults } from "./go-test-json.mjs";

// Real `go test -json ./...` output (Go 1.26, times dropped) of a module with a package that does
// not build and one with a passing, a skipped and a failing test, plus a line go vet would print.
const RUN = [
  "vet: a line that is not JSON",
  '{"ImportPath":"example.com/gt/broken [example.com/gt/broken.test]","Action":"build-output","Output":"# example.com/gt/broken [example.com/gt/broken.test]\\n"}',
  '{"ImportPath":"example.com/gt/broken [example.com/gt/broken.test]","Action":"build-output","Output":"broken/b_test.go:5:28: undefined: undefined\\n"}',
  '{"ImportPath":"example.com/gt/broken [example.com/gt/broken.test]","Action":"build-fail"}',
  '{"Action":"start","Package":"example.com/gt/broken"}',
  '{"Action":"output","Package":"example.com/gt/broken","Output":"FAIL\\texample.com/gt/broken [build failed]\\n"}',
  '{"Action":"fail","Package":"example.com/gt/broken","Elapsed":0,"FailedBuild":"example.com/gt/broken [example.com/gt/broken.test]"}',
  '{"Action":"start","Package":"example.com/gt/good"}',
  '{"Action":"run","Package":"example.com/gt/good","Test":"TestPass"}',
  '{"Action":"output","Package":"example.com/gt/good","Test":"TestPass","Output":"=== RUN   TestPass\\n"}',
  '{"Action":"output","Package":"example.com/gt/good","Test":"TestPass","Output":"    a_test.go:5: hello\\n"}',
  '{"Action":"output","Package":"example.com/gt/good","Test":"TestPass","Output":"--- PASS: TestPass (0.00s)\\n"}',
  '{"Action":"pass","Package":"example.com/gt/good","Test":"TestPass","Elapsed":0}',
  '{"Action":"run","Package":"example.com/gt/good","Test":"TestSkip"}',
  '{"Action":"output","Package":"example.com/gt/good","Test":"TestSkip","Output":"=== RUN   TestSkip\\n"}',
  '{"Action":"output","Package":"example.com/gt/good","Test":"TestSkip","Output":"    a_test.go:6: not here\\n"}',
  '{"Action":"output","Package":"example.com/gt/good","Test":"TestSkip","Output":"--- SKIP: TestSkip (0.00s)\\n"}',
  '{"Action":"skip","Package":"example.com/gt/good","Test":"TestSkip","Elapsed":0}',
  '{"Action":"run","Package":"example.com/gt/good","Test":"TestFail"}',
  '{"Action":"output","Package":"example.com/gt/good","Test":"TestFail","Output":"=== RUN   TestFail\\n"}',
  '{"Action":"output","Package":"example.com/gt/good","Test":"TestFail","Output":"    a_test.go:7: broken\\u0000 byte\\n"}',
  '{"Action":"output","Package":"example.com/gt/good","Test":"TestFail","Output":"--- FAIL: TestFail (0.00s)\\n"}',
  '{"Action":"fail","Package":"example.com/gt/good","Test":"TestFail","Elapsed":0}',
  '{"Action":"output","Package":"example.com/gt/good","Output":"FAIL\\n"}',
  '{"Action":"output","Package":"example.com/gt/good","Output":"FAIL\\texample.com/gt/good\\t0.015s\\n"}',
  '{"Action":"fail","Package":"example.com/gt/good","Elapsed":0.015}',
].join("\n");

describe("go test -json", () => {
  const { results, plain } = goTestResults(RUN);

  it("gives each test its outcome and what it printed", () => {
    const tests = results.filter((r) => r.test !== undefined).map((r) => ({ test: r.test, action: r.action }));
    expect(tests).toEqual([
      { test: "TestPass", action: "pass" },
      { test: "TestSkip", action: "skip" },
      { test: "TestFail", action: "fail" },
    ]);
    expect(results.find((r) => r.test === "TestFail")?.output).toContain("a_test.go:7: broken\u0000 byte");
    expect(results.find((r) => r.test === "TestPass")?.output).not.toContain("broken");
  });

  it("gives each package its outcome, the one that did not build included", () => {
    const packages = results.filter((r) => r.test === undefined).map((r) => ({ package: r.package, action: r.action }));
    expect(packages).toEqual([
      { package: "example.com/gt/broken", action: "fail" },
      { package: "example.com/gt/good", action: "fail" },
    ]);
  });

  it("keeps go vet's lines and the compiler's errors apart, in order", () => {
    expect(plain).toEqual([
      "vet: a line that is not JSON",
      "# example.com/gt/broken [example.com/gt/broken.test]",
      "broken/b_test.go:5:28: undefined: undefined",
    ]);
  });

  it("counts tests only: a package that does not build fails through go's exit code", () => {
    expect(goTestCounts(results)).toEqual({ passed: 1, failed: 1, skipped: 1 });
  });
});
