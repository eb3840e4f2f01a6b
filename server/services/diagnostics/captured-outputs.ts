// Real outputs captured from the sandbox images (node 22, python 3.11) with
// `docker run --network none -u 1000 … bash -c "<command>"` in /workspace; the test beside this file
// quotes the line of each program that fails. Colour codes are kept where the tool printed them.

export interface CapturedOutput {
  command: string;
  output: string;
  errorOutput: string;
}

export const CAPTURED: Record<string, CapturedOutput> = {
  "tsc-plain": {
    command: "npx tsc -p tsconfig.json",
    output: `src/types.ts(4,9): error TS2322: Type 'string' is not assignable to type 'number'.
src/types.ts(5,16): error TS2304: Cannot find name 'missing'.
`,
    errorOutput: ``,
  },
  "tsc-pretty": {
    command: "npx tsc -p tsconfig.json --pretty",
    output: `\u001b[96msrc/types.ts\u001b[0m:\u001b[93m4\u001b[0m:\u001b[93m9\u001b[0m - \u001b[91merror\u001b[0m\u001b[90m TS2322: \u001b[0mType 'string' is not assignable to type 'number'.

\u001b[7m4\u001b[0m   const label: number = "total";
\u001b[7m \u001b[0m \u001b[91m        ~~~~~\u001b[0m

\u001b[96msrc/types.ts\u001b[0m:\u001b[93m5\u001b[0m:\u001b[93m16\u001b[0m - \u001b[91merror\u001b[0m\u001b[90m TS2304: \u001b[0mCannot find name 'missing'.

\u001b[7m5\u001b[0m   return sum + missing;
\u001b[7m \u001b[0m \u001b[91m               ~~~~~~~\u001b[0m


Found 2 errors in the same file, starting at: src/types.ts\u001b[90m:4\u001b[0m

`,
    errorOutput: ``,
  },
  "node-nested": {
    command: "node app.js",
    output: `starting
`,
    errorOutput: `/workspace/lib/cart.js:2
  return item.name.toUpperCase();
                   ^

TypeError: Cannot read properties of undefined (reading 'toUpperCase')
    at itemName (/workspace/lib/cart.js:2:20)
    at Array.map (<anonymous>)
    at describe (/workspace/lib/cart.js:6:21)
    at Object.<anonymous> (/workspace/app.js:4:13)
    at Module._compile (node:internal/modules/cjs/loader:1781:14)
    at Object..js (node:internal/modules/cjs/loader:1913:10)
    at Module.load (node:internal/modules/cjs/loader:1505:32)
    at Function._load (node:internal/modules/cjs/loader:1309:12)
    at wrapModuleLoad (node:internal/modules/cjs/loader:254:19)
    at Function.executeUserEntryPoint [as runMain] (node:internal/modules/run_main:171:5)

Node.js v22.23.3
`,
  },
  "node-top": {
    command: "node top.js",
    output: ``,
    errorOutput: `/workspace/top.js:2
console.log(config.port);
                   ^

TypeError: Cannot read properties of undefined (reading 'port')
    at Object.<anonymous> (/workspace/top.js:2:20)
    at Module._compile (node:internal/modules/cjs/loader:1781:14)
    at Object..js (node:internal/modules/cjs/loader:1913:10)
    at Module.load (node:internal/modules/cjs/loader:1505:32)
    at Function._load (node:internal/modules/cjs/loader:1309:12)
    at wrapModuleLoad (node:internal/modules/cjs/loader:254:19)
    at Function.executeUserEntryPoint [as runMain] (node:internal/modules/run_main:171:5)
    at node:internal/main/run_main_module:36:49

Node.js v22.23.3
`,
  },
  "node-syntax": {
    command: "node syntax.js",
    output: ``,
    errorOutput: `/workspace/syntax.js:2
const b = ;
          ^

SyntaxError: Unexpected token ';'
    at wrapSafe (node:internal/modules/cjs/loader:1713:18)
    at Module._compile (node:internal/modules/cjs/loader:1755:20)
    at Object..js (node:internal/modules/cjs/loader:1913:10)
    at Module.load (node:internal/modules/cjs/loader:1505:32)
    at Function._load (node:internal/modules/cjs/loader:1309:12)
    at wrapModuleLoad (node:internal/modules/cjs/loader:254:19)
    at Function.executeUserEntryPoint [as runMain] (node:internal/modules/run_main:171:5)
    at node:internal/main/run_main_module:36:49

Node.js v22.23.3
`,
  },
  "node-esm": {
    command: "node esm.mjs",
    output: ``,
    errorOutput: `<anonymous_script>:1
{not json
 ^

SyntaxError: Expected property name or '}' in JSON at position 1 (line 1 column 2)
    at JSON.parse (<anonymous>)
    at parse (file:///workspace/esm.mjs:2:15)
    at file:///workspace/esm.mjs:5:1
    at ModuleJob.run (node:internal/modules/esm/module_job:343:25)
    at async onImport.tracePromise.__proto__ (node:internal/modules/esm/loader:681:26)
    at async asyncRunEntryPointWithESMLoader (node:internal/modules/run_main:117:5)

Node.js v22.23.3
`,
  },
  "node-async": {
    command: "node throw.js",
    output: ``,
    errorOutput: `/workspace/throw.js:2
  throw new Error("database unreachable");
        ^

Error: database unreachable
    at load (/workspace/throw.js:2:9)
    at Object.<anonymous> (/workspace/throw.js:4:1)
    at Module._compile (node:internal/modules/cjs/loader:1781:14)
    at Object..js (node:internal/modules/cjs/loader:1913:10)
    at Module.load (node:internal/modules/cjs/loader:1505:32)
    at Function._load (node:internal/modules/cjs/loader:1309:12)
    at wrapModuleLoad (node:internal/modules/cjs/loader:254:19)
    at Function.executeUserEntryPoint [as runMain] (node:internal/modules/run_main:171:5)
    at node:internal/main/run_main_module:36:49

Node.js v22.23.3
`,
  },
  "tsx-runtime": {
    command: "tsx src2/main.ts",
    output: `hello ADA
`,
    errorOutput: `/workspace/src2/main.ts:4
  return \`hello \${user.name.toUpperCase()}\`;
                            ^

TypeError: Cannot read properties of undefined (reading 'toUpperCase')
    at greet (/workspace/src2/main.ts:4:29)
    at <anonymous> (/workspace/src2/main.ts:8:13)
    at Object.<anonymous> (/workspace/src2/main.ts:8:44)
    at Module._compile (node:internal/modules/cjs/loader:1781:14)
    at Object.transformer (/opt/sandbox/node_modules/tsx/dist/register-B1c7OH6V.cjs:22:2188)
    at Module.load (node:internal/modules/cjs/loader:1505:32)
    at Function._load (node:internal/modules/cjs/loader:1309:12)
    at wrapModuleLoad (node:internal/modules/cjs/loader:254:19)
    at loadCJSModuleWithModuleLoad (node:internal/modules/esm/translators:335:3)
    at ModuleWrap.<anonymous> (node:internal/modules/esm/translators:235:7)

Node.js v22.23.3
`,
  },
  "tsx-transform": {
    command: "tsx src2/broken.ts",
    output: ``,
    errorOutput: `node:internal/modules/run_main:123
    triggerUncaughtException(
    ^

Error: Transform failed with 1 error:
/workspace/src2/broken.ts:2:13: ERROR: Unexpected "*"
    at failureErrorWithLog (/opt/sandbox/node_modules/esbuild/lib/main.js:1752:15)
    at /opt/sandbox/node_modules/esbuild/lib/main.js:1019:50
    at responseCallbacks.<computed> (/opt/sandbox/node_modules/esbuild/lib/main.js:886:9)
    at handleIncomingPacket (/opt/sandbox/node_modules/esbuild/lib/main.js:941:12)
    at Socket.readFromStdout (/opt/sandbox/node_modules/esbuild/lib/main.js:864:7)
    at Socket.emit (node:events:519:28)
    at addChunk (node:internal/streams/readable:561:12)
    at readableAddChunkPushByteMode (node:internal/streams/readable:512:3)
    at Readable.push (node:internal/streams/readable:392:5)
    at Pipe.onStreamRead (node:internal/stream_base_commons:189:23) {
  name: 'TransformError'
}

Node.js v22.23.3
`,
  },
  "node-snippet": {
    command: "cp top.js /tmp/.pantheon-run-42.js && node /tmp/.pantheon-run-42.js",
    output: ``,
    errorOutput: `/tmp/.pantheon-run-42.js:2
console.log(config.port);
                   ^

TypeError: Cannot read properties of undefined (reading 'port')
    at Object.<anonymous> (/tmp/.pantheon-run-42.js:2:20)
    at Module._compile (node:internal/modules/cjs/loader:1781:14)
    at Object..js (node:internal/modules/cjs/loader:1913:10)
    at Module.load (node:internal/modules/cjs/loader:1505:32)
    at Function._load (node:internal/modules/cjs/loader:1309:12)
    at wrapModuleLoad (node:internal/modules/cjs/loader:254:19)
    at Function.executeUserEntryPoint [as runMain] (node:internal/modules/run_main:171:5)
    at node:internal/main/run_main_module:36:49

Node.js v22.23.3
`,
  },
  "py-name": {
    command: "cd py && python3 -u main.py",
    output: `2.0
`,
    errorOutput: `Traceback (most recent call last):
  File "/workspace/py/main.py", line 5, in <module>
    print(totl)
          ^^^^
NameError: name 'totl' is not defined
`,
  },
  "py-deep": {
    command: "cd py && python3 -u deep.py",
    output: ``,
    errorOutput: `Traceback (most recent call last):
  File "/workspace/py/deep.py", line 6, in <module>
    compute()
  File "/workspace/py/deep.py", line 4, in compute
    return ratio(1, 0)
           ^^^^^^^^^^^
  File "/workspace/py/helpers.py", line 6, in ratio
    return a / b
           ~~^~~
ZeroDivisionError: division by zero
`,
  },
  "py-syntax": {
    command: "cd py && python3 -u syntax.py",
    output: ``,
    errorOutput: `  File "/workspace/py/syntax.py", line 2
    print("hello"
         ^
SyntaxError: '(' was never closed
`,
  },
  "py-indent": {
    command: "cd py && python3 -u indent.py",
    output: ``,
    errorOutput: `  File "/workspace/py/indent.py", line 3
    y = 2
IndentationError: unexpected indent
`,
  },
  "py-unittest": {
    command: "cd py && python3 -m unittest discover -s tests -t . -v",
    output: ``,
    errorOutput: `test_average (tests.test_helpers.HelpersTest.test_average) ... FAIL
test_ratio (tests.test_helpers.HelpersTest.test_ratio) ... ERROR

======================================================================
ERROR: test_ratio (tests.test_helpers.HelpersTest.test_ratio)
----------------------------------------------------------------------
Traceback (most recent call last):
  File "/workspace/py/tests/test_helpers.py", line 11, in test_ratio
    self.assertEqual(ratio(1, 0), 0)
                     ^^^^^^^^^^^
  File "/workspace/py/helpers.py", line 6, in ratio
    return a / b
           ~~^~~
ZeroDivisionError: division by zero

======================================================================
FAIL: test_average (tests.test_helpers.HelpersTest.test_average)
----------------------------------------------------------------------
Traceback (most recent call last):
  File "/workspace/py/tests/test_helpers.py", line 8, in test_average
    self.assertEqual(average([1, 2]), 2)
AssertionError: 1.5 != 2

----------------------------------------------------------------------
Ran 2 tests in 0.001s

FAILED (failures=1, errors=1)
`,
  },
  "vitest-fail": {
    command: "ln -sfn /opt/sandbox/node_modules/* node_modules/ && npx vitest run src/sum.test.ts",
    output: `
\u001b[1m\u001b[30m\u001b[46m RUN \u001b[49m\u001b[39m\u001b[22m \u001b[36mv5.1.1 \u001b[39m\u001b[90m/workspace\u001b[39m

 \u001b[31m❯\u001b[39m src/sum.test.ts \u001b[2m(\u001b[22m\u001b[2m1 test\u001b[22m\u001b[2m | \u001b[22m\u001b[31m1 failed\u001b[39m\u001b[2m)\u001b[22m\u001b[32m 13\u001b[2mms\u001b[22m\u001b[39m
\u001b[31m   \u001b[31m×\u001b[31m adds\u001b[39m\u001b[32m 10\u001b[2mms\u001b[22m\u001b[39m

\u001b[2m Test Files \u001b[22m \u001b[1m\u001b[31m1 failed\u001b[39m\u001b[22m\u001b[90m (1)\u001b[39m
\u001b[2m      Tests \u001b[22m \u001b[1m\u001b[31m1 failed\u001b[39m\u001b[22m\u001b[90m (1)\u001b[39m
\u001b[2m   Start at \u001b[22m 16:00:03
\u001b[2m   Duration \u001b[22m 266ms\u001b[2m (transform 48%, import 22%, tests 20%, worker 9%)\u001b[22m

`,
    errorOutput: `
\u001b[31m⎯⎯⎯⎯⎯⎯⎯\u001b[39m\u001b[1m\u001b[41m Failed Tests 1 \u001b[49m\u001b[22m\u001b[31m⎯⎯⎯⎯⎯⎯⎯\u001b[39m

\u001b[41m\u001b[1m FAIL \u001b[22m\u001b[49m src/sum.test.ts\u001b[2m > \u001b[22madds
\u001b[31m\u001b[1mAssertionError\u001b[22m: expected -1 to be 3 // Object.is equality\u001b[39m

\u001b[32m- Expected\u001b[39m
\u001b[31m+ Received\u001b[39m

\u001b[32m- 3\u001b[39m
\u001b[31m+ -1\u001b[39m

\u001b[36m \u001b[2m❯\u001b[22m src/sum.test.ts:\u001b[2m8:21\u001b[22m\u001b[39m
    \u001b[90m  6|\u001b[39m
    \u001b[90m  7|\u001b[39m \u001b[34mit\u001b[39m(\u001b[32m"adds"\u001b[39m\u001b[33m,\u001b[39m () \u001b[33m=>\u001b[39m {
    \u001b[90m  8|\u001b[39m   \u001b[34mexpect\u001b[39m(\u001b[34msum\u001b[39m(\u001b[34m1\u001b[39m\u001b[33m,\u001b[39m \u001b[34m2\u001b[39m))\u001b[33m.\u001b[39m\u001b[34mtoBe\u001b[39m(\u001b[34m3\u001b[39m)\u001b[33m;\u001b[39m
    \u001b[90m   |\u001b[39m                     \u001b[31m^\u001b[39m
    \u001b[90m  9|\u001b[39m })\u001b[33m;\u001b[39m
    \u001b[90m 10|\u001b[39m

\u001b[31m\u001b[2m⎯⎯⎯⎯⎯⎯⎯⎯⎯⎯⎯⎯⎯⎯⎯⎯⎯⎯⎯⎯⎯⎯⎯⎯[1/1]⎯\u001b[22m\u001b[39m

`,
  },
};
