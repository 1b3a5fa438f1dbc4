import { readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { checkOutputFile } from '../../core/util/checkOutputFile.js';
import { isInputFileError } from '../../core/util/InputFileError.js';
import { checkInputPath } from '../../core/util/readInputFile.js';
import { formatReport } from '../replay/formatReport.js';
import { replayScenario } from '../replay/replayScenario.js';
import type { ReplayReport } from '../replay/ReplayReport.js';
import { isScenarioError } from '../replay/scenario/ScenarioError.js';
import { loadPolicyFile } from '../replay/scenario/loadPolicyFile.js';
import { INPUT_LIMITS } from '../replay/scenario/inputLimits.js';
import { loadScenarioFiles } from '../replay/scenario/loadScenarioFiles.js';
import type { Scenario } from '../replay/scenario/Scenario.js';
import { formatScenarioIssue } from '../replay/scenario/ScenarioError.js';
import { scenarioLimitIssues } from '../replay/scenario/scenarioLimits.js';
import { formatPath } from '../replay/scenario/formatPath.js';

const SCENARIO_FILE = /\.(ya?ml|json)$/i;

const USAGE = 'usage: lifeboat replay <file|dir...> [--json FILE] [--policy FILE] [--quiet] [--wire]';

/**
 * `lifeboat replay <file|dir...> [--json FILE] [--policy FILE] [--quiet] [--wire]`.
 * Every input is validated before anything is replayed: one bad file means
 * exit 2 and no replay at all. `--wire` serves the `aws` and `gcp`
 * providers through the real adapters over HTTP to loopback emulators (see
 * `ReplayOptions.wire`); exit codes are the same.
 */
export async function runReplayCommand(argv: readonly string[]): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args: [...argv],
      allowPositionals: true,
      options: {
        json: { type: 'string' },
        policy: { type: 'string' },
        quiet: { type: 'boolean', default: false },
        wire: { type: 'boolean', default: false },
      },
    });
  } catch (error) {
    process.stderr.write(`lifeboat replay: ${(error as Error).message}\n`);
    return 2;
  }
  const { values, positionals } = parsed;
  if (positionals.length === 0) {
    process.stderr.write(`lifeboat replay: no scenario files given (${USAGE})\n`);
    return 2;
  }

  const problems: string[] = [];
  // The report's path is checked first: a typo there must not cost a whole replay before it shows.
  if (values.json !== undefined) {
    try {
      await checkOutputFile(values.json);
    } catch (error) {
      if (!isInputFileError(error)) throw error;
      problems.push(`--json ${error.message}`);
    }
  }
  const files: string[] = [];
  for (const arg of positionals) {
    try {
      if ((await checkInputPath(arg, { maxBytes: INPUT_LIMITS.sourceBytes, allowDirectory: true })) === 'directory') {
        const entries = (await readdir(arg)).filter((f) => SCENARIO_FILE.test(f)).sort();
        if (entries.length === 0) problems.push(`${arg}: directory has no .yaml, .yml or .json scenario files`);
        files.push(...entries.map((f) => join(arg, f)));
      } else files.push(arg);
    } catch (error) {
      if (!isInputFileError(error)) throw error;
      problems.push(error.message);
    }
  }

  const loaded = await loadScenarioFiles(files);
  const scenarios = loaded.scenarios;
  problems.push(...loaded.problems);
  let policy = {};
  if (values.policy !== undefined) {
    try {
      policy = await loadPolicyFile(values.policy);
    } catch (error) {
      if (!isScenarioError(error)) throw error;
      problems.push(error.message);
    }
  }
  if (values.policy !== undefined && problems.length === 0) {
    // The scenario's own limits were checked with its own policy; a faster probeInterval here means more work.
    for (const scenario of scenarios) {
      for (const issue of scenarioLimitIssues(scenario, policy)) {
        problems.push(formatScenarioIssue(scenario.file, { path: formatPath(issue.path), message: `${issue.message} (with --policy ${values.policy})` }));
      }
    }
  }
  const names = new Map<string, string>();
  for (const s of scenarios) {
    const other = names.get(s.name);
    if (other !== undefined) problems.push(`${s.file}: name: "${s.name}" is also the name of ${other}`);
    names.set(s.name, s.file);
  }
  if (problems.length > 0) {
    process.stderr.write(`lifeboat replay: invalid input, nothing replayed:\n${problems.map((p) => `  ${p}`).join('\n')}\n`);
    return 2;
  }

  if (values.wire) {
    // The AWS SDK warns on Node < 22 about SDK releases of 2027; against loopback emulators that is noise on
    // every run. Only the replay command silences it, and only when the user has not chosen otherwise.
    process.env['AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED'] ??= 'true';
  }
  const reports: ReplayReport[] = [];
  for (const scenario of scenarios) {
    const started = performance.now();
    const replayed = await replayScenario(scenario, { policy, wire: values.wire });
    const wallMs = Math.round(performance.now() - started);
    // Spec order: the wall-clock fields sit right after `passed`.
    const { scenario: name, passed: ok, ...rest } = replayed;
    const report: ReplayReport = { scenario: name, passed: ok, generatedAt: new Date().toISOString(), wallMs, ...rest };
    reports.push(report);
    process.stdout.write(`${formatReport(report, { quiet: values.quiet })}\n`);
  }
  const passed = reports.filter((r) => r.passed).length;
  process.stdout.write(`${passed}/${reports.length} scenario(s) passed\n`);
  if (values.json !== undefined) {
    const body = reports.length === 1 ? reports[0] : reports;
    try {
      await writeFile(values.json, `${JSON.stringify(body, null, 2)}\n`);
    } catch (error) {
      process.stderr.write(`lifeboat replay: cannot write report to ${values.json}: ${(error as Error).message}\n`);
      return 2;
    }
  }
  return passed === reports.length ? 0 : 1;
}
