// Case 5 of the control-plane issue: the real HPA controller (kube-controller-manager 1.37.2, synced every
// second) scales production's chocolates section from minReplicas to maxReplicas when kwok reports high CPU,
// through metrics-server, and back to minReplicas after the scale-down stabilization window, step by step as
// the rendered `behavior` says. Production's windows and periods are minutes; the copy here shortens them to
// seconds and keeps everything else. Broken twin: the same Deployment without a cpu request, under the same
// load, which the controller cannot compute a utilization for (ScalingActive=False), so it stays at its floor.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';

import type { ScalingRules } from '../../config/hpa-behavior.ts';
import { type EnvironmentConfig, environments } from '../../config/index.ts';
import { validateEnvironment } from '../../config/validate.ts';
import { type Manifest, render } from '../charts/render.ts';
import { skipUnlessControlPlane, startTestCluster, type TestCluster } from '../support/control-plane.ts';
import {
  apply,
  assertStartedWith,
  type Condition,
  cpuUsage,
  eventually,
  FAST_AUTOSCALING_ARGS,
  NAME_LABEL,
  renamedDeployment,
  rescales,
  summary,
} from './support.ts';

const production = environments.production!;
const NAMESPACE = production.namespace;
const SECTION = 'chocolates';
const TWIN = `${SECTION}-no-cpu-request`;
/** What kwok reports per pod while idle: 4% of the request, far below the target. */
const IDLE_CPU = '10m';

/** Shortened only, never lengthened: a scale-up period longer than the 1 s sync, so a limited step shows. */
function shortened(rules: ScalingRules, windowSeconds: number, periodSeconds: number): ScalingRules {
  return {
    ...rules,
    stabilizationWindowSeconds: Math.min(rules.stabilizationWindowSeconds, windowSeconds),
    policies: rules.policies.map((policy) => ({ ...policy, periodSeconds: Math.min(policy.periodSeconds, periodSeconds) })),
  };
}

/** Production with its HPA windows and periods in seconds instead of minutes: same policies, sizes and targets. */
const fast: EnvironmentConfig = validateEnvironment({
  ...production,
  hpaBehavior: {
    scaleUp: shortened(production.hpaBehavior.scaleUp, 0, 5),
    scaleDown: shortened(production.hpaBehavior.scaleDown, 10, 3),
  },
});
const sizing = fast.sections[SECTION];

/**
 * The replica counts the controller steps through when every recommendation lies beyond `to` (its
 * calculateScale{Up,Down}LimitWithBehaviors: per period, Pods adds/removes a count, Percent a share rounded
 * up when adding and down when removing; `Max` takes the biggest change). Today 3, 7, 12 and 12, 9, 6, 4, 3.
 */
function expectedSteps(from: number, to: number, rules: ScalingRules): number[] {
  const up = to > from;
  const history = [from];
  for (let count = from; count !== to; ) {
    const proposals = rules.policies.map((policy) => {
      const change = policy.type === 'Pods' ? policy.value : (count * policy.value) / 100;
      return up ? Math.ceil(count + change) : Math.floor(count - change);
    });
    const chosen = (rules.selectPolicy === 'Max') === up ? Math.max(...proposals) : Math.min(...proposals);
    const next = up ? Math.min(to, chosen) : Math.max(to, chosen);
    if (next === count) break; // Disabled, or a policy that cannot move
    history.push(next);
    count = next;
  }
  return history;
}

/** The section's objects the HPA needs (no Service, PDB, policies or routes: nothing here sends traffic). */
function sectionObjects(manifests: readonly Manifest[]): Manifest[] {
  const wanted = (each: Manifest) =>
    each.kind === 'Namespace' ||
    (each.metadata.name === SECTION && ['ServiceAccount', 'Deployment', 'HorizontalPodAutoscaler'].includes(each.kind));
  return manifests.filter(wanted);
}

/** The section's Deployment and HPA under the twin's name and labels, the container with no cpu request or limit. */
function twinObjects(manifests: readonly Manifest[]): Manifest[] {
  const find = (kind: string) => structuredClone(manifests.find((each) => each.kind === kind && each.metadata.name === SECTION)!);
  const deployment = renamedDeployment(find('Deployment'), TWIN);
  // Both go: with a limit alone, the API server defaults the request to it.
  for (const container of deployment.spec.template.spec.containers) {
    delete container.resources.requests.cpu;
    delete container.resources.limits.cpu;
  }
  const hpa = find('HorizontalPodAutoscaler');
  hpa.metadata.name = TWIN;
  hpa.spec.scaleTargetRef.name = TWIN;
  return [deployment, hpa];
}

/** One reading of the section's Deployment and HPA and the twin's Deployment, seconds after the objects were applied. */
interface Sample {
  readonly at: number;
  readonly replicas: number;
  readonly desired?: number;
  readonly utilization?: number;
  readonly conditions: readonly string[];
  readonly twinReplicas: number;
}

/** Reads the objects back to back (one kubectl each time) until stopped; `mark` notes what the test changed when. */
class Timeline {
  readonly samples: Sample[] = [];
  private readonly marks: { at: number; what: string }[] = [];
  private readonly started = Date.now();
  private running = true;
  private readonly cluster: TestCluster;
  private readonly loop: Promise<void>;

  constructor(cluster: TestCluster) {
    this.cluster = cluster;
    this.loop = this.run();
  }

  private async run(): Promise<void> {
    while (this.running) {
      const read = await this.cluster.kubectl([
        '--namespace',
        NAMESPACE,
        'get',
        `deployment/${SECTION}`,
        `hpa/${SECTION}`,
        `deployment/${TWIN}`,
        '--output=json',
      ]);
      if (read.status === 0) this.samples.push(this.sample(JSON.parse(read.stdout).items));
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }

  private sample([deployment, hpa, twin]: any[]): Sample {
    return {
      at: this.seconds(),
      replicas: deployment.spec.replicas,
      desired: hpa.status?.desiredReplicas,
      utilization: hpa.status?.currentMetrics?.[0]?.resource?.current?.averageUtilization,
      conditions: summary(hpa.status?.conditions as Condition[] | undefined),
      twinReplicas: twin.spec.replicas,
    };
  }

  seconds(): number {
    return (Date.now() - this.started) / 1000;
  }

  mark(what: string): number {
    const at = this.seconds();
    this.marks.push({ at, what });
    return at;
  }

  /** The newest sample taken after `since` (for `eventually`). */
  async latest(since = 0): Promise<Sample | undefined> {
    const last = this.samples.at(-1);
    return last !== undefined && last.at > since ? last : undefined;
  }

  /** The Deployment's replica counts from `since` on, each change once: what the controller wrote through /scale. */
  replicaHistory(since: number): number[] {
    const counts = this.samples.filter((sample) => sample.at >= since).map((sample) => sample.replicas);
    return counts.filter((count, index) => index === 0 || count !== counts[index - 1]);
  }

  async stop(): Promise<void> {
    this.running = false;
    await this.loop;
  }

  /** One line per change of the replica count or utilization, with the test's own steps between them. */
  print(): void {
    const lines = this.marks.map(({ at, what }) => ({ at, line: `${at.toFixed(1).padStart(6)} s  -- ${what}` }));
    let previous: Sample | undefined;
    for (const sample of this.samples) {
      if (previous?.replicas === sample.replicas && previous.utilization === sample.utilization) continue;
      const cpu = sample.utilization === undefined ? 'cpu unknown' : `cpu ${sample.utilization}%`;
      const line = `${sample.at.toFixed(1).padStart(6)} s  ${SECTION} replicas ${sample.replicas}  (${cpu}; twin ${sample.twinReplicas})`;
      lines.push({ at: sample.at, line });
      previous = sample;
    }
    console.log(`HPA timeline (target ${sizing.cpuTargetPercent}% of ${sizing.requests.cpu}):`);
    for (const { line } of lines.sort((a, b) => a.at - b.at)) console.log(line);
  }
}

/** Each size has its SuccessfulRescale event with the controller's reason. */
function assertRescaled(messages: readonly string[], sizes: readonly number[], reason: string): void {
  for (const size of sizes) {
    assert.ok(messages.includes(`New size: ${size}; reason: ${reason}`), `no rescale to ${size}: ${messages.join('; ')}`);
  }
}

const hasCondition = (sample: Sample | undefined, condition: string) => sample?.conditions.includes(condition) ?? false;

describe('the real HPA controller scales a section as the rendered behavior says (kwok provider)', {
  skip: skipUnlessControlPlane(),
}, () => {
  let cluster: TestCluster;
  let timeline: Timeline;

  before(async () => {
    cluster = await startTestCluster({ envoyGateway: false, environments: [fast], componentArgs: FAST_AUTOSCALING_ARGS });
    assertStartedWith(cluster, FAST_AUTOSCALING_ARGS);
    await apply(cluster, cpuUsage(NAMESPACE, IDLE_CPU)); // before the pods exist, so kwok reports a low usage from their first scrape
    const manifests = render(fast);
    await apply(cluster, ...sectionObjects(manifests), ...twinObjects(manifests));
    timeline = new Timeline(cluster);
  });
  after(async () => {
    await timeline?.stop();
    timeline?.print();
    await cluster?.stop();
  });

  test('scales from min to max under high CPU, each step limited by the scale-up policy; the twin without a cpu request cannot', async () => {
    const low = await eventually(
      () => timeline.latest(),
      (sample) =>
        sample?.utilization !== undefined &&
        sample.replicas === sizing.minReplicas &&
        hasCondition(sample, 'ScalingActive=True ValidMetricFound'),
      90_000,
      `${SECTION}: metrics reach the HPA at minReplicas`,
    );
    assert.ok(low!.utilization! < sizing.cpuTargetPercent, `${low!.utilization}% is below the target`);

    // Every replica at its cpu limit: far above the target, so only the policy and maxReplicas bound each step.
    const high = timeline.mark(`kwok reports ${sizing.limits.cpu} cpu per pod`);
    await apply(cluster, cpuUsage(NAMESPACE, sizing.limits.cpu));
    const top = await eventually(
      () => timeline.latest(high),
      (sample) => sample?.replicas === sizing.maxReplicas && sample.desired === sizing.maxReplicas,
      60_000,
      `${SECTION}: scaled to maxReplicas`,
    );
    assert.ok(top!.utilization! > sizing.cpuTargetPercent, `${top!.utilization}% is above the target`);
    // An HPA without spec.behavior takes the controller's legacy path instead: 3, 6, 12 in two syncs.
    assert.deepEqual(timeline.replicaHistory(high), expectedSteps(sizing.minReplicas, sizing.maxReplicas, fast.hpaBehavior.scaleUp));
    const limited = timeline.samples.filter((sample) => sample.at >= high && hasCondition(sample, 'ScalingLimited=True ScaleUpLimit'));
    assert.ok(limited.length > 0, 'the controller reported a step cut by the scale-up policy');

    // The twin, under the same load and its same HPA: no utilization without a request, so it stays at its floor.
    const twin = await cluster.json('--namespace', NAMESPACE, 'get', `hpa/${TWIN}`);
    const active = (twin.status.conditions as Condition[]).find((condition) => condition.type === 'ScalingActive');
    assert.equal(`${active?.status} ${active?.reason}`, 'False FailedGetResourceMetric');
    assert.match(active!.message!, new RegExp(`missing request for cpu in container service of Pod ${TWIN}-`));
    const twinCounts = new Set(timeline.samples.filter((sample) => sample.at >= high).map((sample) => sample.twinReplicas));
    assert.deepEqual([...twinCounts], [sizing.minReplicas], 'the twin never left minReplicas');
    assert.deepEqual(await rescales(cluster, NAMESPACE, TWIN), [
      `New size: ${sizing.minReplicas}; reason: Current number of replicas below Spec.MinReplicas`,
    ]);
    // The controller's own record of the steps (Normal events; its Warnings are rate-limited per object after 25).
    const up = expectedSteps(sizing.minReplicas, sizing.maxReplicas, fast.hpaBehavior.scaleUp).slice(1);
    assertRescaled(await rescales(cluster, NAMESPACE, SECTION), up, 'cpu resource utilization (percentage of request) above target');
  });

  /** How many of the section's pods metrics-server has a usage for (it needs two scrapes of a new pod). */
  async function podsWithMetrics(): Promise<number> {
    const path = `/apis/metrics.k8s.io/v1beta1/namespaces/${NAMESPACE}/pods?labelSelector=${NAME_LABEL}%3D${SECTION}`;
    const read = await cluster.kubectl(['get', '--raw', path]);
    return read.status === 0 ? JSON.parse(read.stdout).items.length : 0;
  }

  test('scales back to min only after the scale-down stabilization window, by the scale-down policy per period', async () => {
    // On a scale-down the controller counts a pod without metrics as at 100% of its request, which would make
    // intermediate recommendations while the new pods' first metrics arrive: wait for them, so the drop is one step.
    await eventually(podsWithMetrics, (count) => count === sizing.maxReplicas, 60_000, `${SECTION}: metrics for every pod`);
    const drop = timeline.mark(`kwok reports ${IDLE_CPU} cpu per pod`);
    await apply(cluster, cpuUsage(NAMESPACE, IDLE_CPU));
    await eventually(
      () => timeline.latest(drop),
      (sample) => sample?.replicas === sizing.minReplicas && sample.desired === sizing.minReplicas,
      90_000,
      `${SECTION}: back at minReplicas`,
    );
    const down = expectedSteps(sizing.maxReplicas, sizing.minReplicas, fast.hpaBehavior.scaleDown);
    assert.deepEqual(timeline.replicaHistory(drop), down);
    assertRescaled(await rescales(cluster, NAMESPACE, SECTION), down.slice(1), 'All metrics below target');
    // The window is visible in the controller's own words: low usage seen, still at max, held by older recommendations.
    const held = timeline.samples.filter(
      (sample) =>
        sample.at >= drop &&
        sample.replicas === sizing.maxReplicas &&
        sample.utilization! < sizing.cpuTargetPercent &&
        hasCondition(sample, 'AbleToScale=True ScaleDownStabilized'),
    );
    assert.ok(held.length > 0, 'the controller held the replicas in the stabilization window');
  });
});
