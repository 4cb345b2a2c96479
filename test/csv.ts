import { execFileSync } from 'node:child_process';

/** The file as Python's csv module reads it (as strict as a spreadsheet about quoting): rows of cells. */
export function pythonCsv(text: string, delimiter = ','): string[][] {
  const script = `import csv, json, sys\nsys.stdout.write(json.dumps(list(csv.reader(sys.stdin.read().lstrip('\\ufeff').splitlines(True), delimiter=${JSON.stringify(delimiter)}, strict=True))))`;
  return JSON.parse(execFileSync('python3', ['-c', script], { input: text, encoding: 'utf8' })) as string[][];
}
