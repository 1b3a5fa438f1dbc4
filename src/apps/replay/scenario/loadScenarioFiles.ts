import { loadScenarioFile } from './loadScenario.js';
import type { Scenario } from './Scenario.js';
import { isScenarioError } from './ScenarioError.js';

/**
 * Loads every file, collecting what is wrong with each instead of stopping
 * at the first: commands that take several files report all their problems
 * at once and replay nothing when there is any. Errors other than a
 * {@link ScenarioError} (a defect, not bad input) are thrown.
 */
export async function loadScenarioFiles(files: readonly string[]): Promise<{ scenarios: Scenario[]; problems: string[] }> {
  const scenarios: Scenario[] = [];
  const problems: string[] = [];
  for (const file of files) {
    try {
      scenarios.push(await loadScenarioFile(file));
    } catch (error) {
      if (!isScenarioError(error)) throw error;
      problems.push(error.message);
    }
  }
  return { scenarios, problems };
}
