import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../src/config.ts';
import { ALL_FUNCTIONS, type ServiceName } from '../src/functions.ts';
import { END_TO_END, SERVICE_METRICS } from '../src/metrics.ts';
import { dev, flat, removeTemporaryDirectories, resourcesOf, type Synthesized, synthesize } from './synth.ts';

let synth: Synthesized;
beforeAll(() => {
  synth = synthesize();
});
afterAll(removeTemporaryDirectories);

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((entry) => {
    const path = join(dir, entry);
    return statSync(path).isDirectory() ? sourceFiles(path) : path.endsWith('.ts') ? [path] : [];
  });
}

/** The metric names a service's source records: `.latency('Name'` and `.count('Name'` (or a ternary of names). */
function recordedMetrics(service: ServiceName) {
  const text = sourceFiles(join(REPO_ROOT, 'services', service, 'src'))
    .map((f) => readFileSync(f, 'utf8'))
    .join('\n');
  const names = (kind: 'latency' | 'count') =>
    new Set(
      [...text.matchAll(new RegExp(`\\.${kind}\\(([^,)]*)`, 'g'))].flatMap((m) =>
        [...(m[1] ?? '').matchAll(/'([A-Za-z]+)'/g)].map((n) => n[1]!),
      ),
    );
  return { latencies: names('latency'), counts: names('count') };
}

const alarms = () => resourcesOf(synth.json.LltObservability!, 'AWS::CloudWatch::Alarm').map(([, a]) => a.Properties!);

describe('observability stack', () => {
  it.each(Object.keys(SERVICE_METRICS) as ServiceName[])(
    '%s: charts every latency the service records, and only metrics it records',
    (service) => {
      const recorded = recordedMetrics(service);
      expect([...SERVICE_METRICS[service].latencies].sort()).toEqual([...recorded.latencies].sort());
      for (const count of SERVICE_METRICS[service].counts) expect(recorded.counts).toContain(count);
    },
  );

  it('charts the end-to-end latencies by the service dimension Powertools sets', () => {
    const body = flat(
      resourcesOf(synth.json.LltObservability!, 'AWS::CloudWatch::Dashboard')[0]![1].Properties!.DashboardBody,
    );
    for (const { service, metric } of END_TO_END) {
      expect(body).toContain(`"LowLatencyTranslate","${metric}","service","${service}"`);
    }
    for (const fn of ALL_FUNCTIONS) expect(body).toContain(`"AWS/Lambda","Errors","FunctionName","${dev(fn.name)}"`);
    expect(body).toContain('"AWS/States","ExecutionsFailed","StateMachineArn"');
    expect(body).toContain('"AWS/Kinesis","GetRecords.IteratorAgeMilliseconds","StreamName","llt-dev-audio"');
    expect(body).toContain(
      '"AWS/ECS","CPUUtilization","ClusterName","llt-dev-transcribe","ServiceName","llt-dev-transcribe-worker"',
    );
  });

  it('alarms on the p95 from the end of speech to the audio URL above 1.5 s', () => {
    expect(alarms()).toContainEqual(
      expect.objectContaining({
        Namespace: 'LowLatencyTranslate',
        MetricName: 'AudioDeliveredMs',
        Dimensions: [{ Name: 'service', Value: 'notify' }],
        ExtendedStatistic: 'p95',
        Threshold: 1500,
        ComparisonOperator: 'GreaterThanThreshold',
      }),
    );
  });

  it('alarms when transcription lags the audio stream by more than 5 s', () => {
    expect(alarms()).toContainEqual(
      expect.objectContaining({
        Namespace: 'AWS/Kinesis',
        MetricName: 'GetRecords.IteratorAgeMilliseconds',
        Dimensions: [{ Name: 'StreamName', Value: dev('llt-audio') }],
        Statistic: 'Maximum',
        Threshold: 5000,
      }),
    );
  });

  it('alarms when no transcription worker runs, or none reports', () => {
    expect(alarms()).toContainEqual(
      expect.objectContaining({
        Namespace: 'ECS/ContainerInsights',
        MetricName: 'RunningTaskCount',
        Dimensions: [
          { Name: 'ClusterName', Value: dev('llt-transcribe') },
          { Name: 'ServiceName', Value: dev('llt-transcribe-worker') },
        ],
        Threshold: 1,
        ComparisonOperator: 'LessThanThreshold',
        TreatMissingData: 'breaching',
      }),
    );
  });

  it('alarms on workflow failures and on every function’s errors, all to the alarm topic', () => {
    const all = alarms();
    const workflow = all.find((a) => a.AlarmName === dev('llt-workflow-failures'));
    expect(JSON.stringify(workflow?.Metrics)).toContain('ExecutionsFailed');
    expect(JSON.stringify(workflow?.Metrics)).toContain('ExecutionsTimedOut');
    const errors = all.filter((a) => a.MetricName === 'Errors');
    expect(errors.map((a) => (a.Dimensions as { Value: string }[])[0]!.Value).sort()).toEqual(
      ALL_FUNCTIONS.map((f) => dev(f.name)).sort(),
    );
    for (const alarm of all) expect(flat(alarm.AlarmActions)).toContain('AlarmTopic');
  });
});
