import { describe, expect, it } from "vitest";
import { plainArgv } from "./plain-command";

describe("plainArgv: a command that needs no shell, as argv", () => {
  it.each([
    ["true", ["true"]],
    ["echo 1", ["echo", "1"]],
    ["  node   --version\t", ["node", "--version"]],
    ["python3 -u main.py", ["python3", "-u", "main.py"]],
    ["./run.sh a=b c:d e,f g@h 50% +x", ["./run.sh", "a=b", "c:d", "e,f", "g@h", "50%", "+x"]],
    ["npm test", ["npm", "test"]],
    ["env", ["env"]],
  ])("%j → %j", (command, argv) => {
    expect(plainArgv(command)).toEqual(argv);
  });

  it.each([
    // shell syntax of every kind
    "echo $HOME",
    "echo ${X}",
    "echo `id`",
    "echo 'a b'",
    'echo "a"',
    "echo a\\ b",
    "echo a; echo b",
    "echo a && echo b",
    "echo a | cat",
    "echo a > f",
    "cat < f",
    "sleep 1 &",
    "(echo a)",
    "echo *.js",
    "ls ?",
    "ls [ab]",
    "echo {a,b}",
    "cd ~",
    "ls ~/x",
    "echo a # comment",
    "echo a\necho b",
    "! true",
    "X=1 node a.js",
    "=x",
    "%1",
    "echo é",
    // builtins and keywords: bash runs its own
    "cd /tmp",
    "exit 3",
    "export A=1",
    "pwd",
    "kill 1",
    "printf x",
    "test -f x",
    "[ -f x ]",
    "type node",
    "command ls",
    "exec node",
    "time node a.js",
    "source x",
    ". x",
    "if",
    // a builtin whose file would differ for these arguments
    "true --help",
    "false x",
    "echo -n x",
    "echo --help",
    "echo -e x",
    "",
    "   ",
  ])("%j stays a shell command", (command) => {
    expect(plainArgv(command)).toBeNull();
  });
});
