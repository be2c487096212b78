import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FAILURE_QUEUES, REPO_ROOT } from '../src/config.ts';
import { ALL_FUNCTIONS, type ServiceName } from '../src/functions.ts';
import { END_TO_END, SERVICE_METRICS } from '../src/metrics.ts';
import { dev, flat, removeTemporaryDirectories, resourcesOf, type Synthesized, synthesize } from './synth.ts';

let synth: Synthesized;
let budgeted: Synthesized;
beforeAll(() => {
  synth = synthesize();
  budgeted = synthesize({ monthlyBudgetUsd: 250 });
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

  const alarmNamed = (name: string) => alarms().find((a) => a.AlarmName === dev(name));

  it('alarms on the throttles of every function', () => {
    const throttles = alarms().filter((a) => a.MetricName === 'Throttles');
    expect(throttles.map((a) => (a.Dimensions as { Value: string }[])[0]!.Value).sort()).toEqual(
      ALL_FUNCTIONS.map((f) => dev(f.name)).sort(),
    );
  });

  it('alarms when Translate or Polly throttle, or Transcribe refuses a stream (the services and the workers say so)', () => {
    expect(alarmNamed('llt-translate-throttled')).toMatchObject({
      Namespace: 'AWS/Translate',
      MetricName: 'ThrottledCount',
      Dimensions: [{ Name: 'Operation', Value: 'TranslateText' }],
    });
    expect(alarmNamed('llt-polly-throttled')).toMatchObject({
      Namespace: 'AWS/Polly',
      MetricName: '4XXCount',
      Dimensions: [{ Name: 'Operation', Value: 'SynthesizeSpeech' }],
    });
    expect(alarmNamed('llt-transcribe-streams-refused')).toMatchObject({
      Namespace: 'LowLatencyTranslate',
      MetricName: 'RecognizerOpenFailures',
      Dimensions: [{ Name: 'service', Value: 'transcribe' }],
    });
  });

  it('alarms when speakers are refused for capacity', () => {
    expect(alarmNamed('llt-sessions-refused-for-capacity')).toMatchObject({
      Namespace: 'LowLatencyTranslate',
      MetricName: 'SessionsRefusedForCapacity',
      Dimensions: [{ Name: 'service', Value: 'transcribe' }],
    });
  });

  it('alarms on 5xx of the HTTP API and on integration and execution errors of the WebSocket API', () => {
    const http = alarmNamed('llt-http-api-5xx');
    expect(http).toMatchObject({ Namespace: 'AWS/ApiGateway', MetricName: '5xx' });
    expect(JSON.stringify(http!.Dimensions)).toContain('$default');
    const webSocket = JSON.stringify(alarmNamed('llt-websocket-api-errors')?.Metrics);
    expect(webSocket).toContain('IntegrationError');
    expect(webSocket).toContain('ExecutionError');
  });

  it('alarms on the depth of every failure queue, each of which exists in a stack', () => {
    const depth = alarms().filter((a) => a.MetricName === 'ApproximateNumberOfMessagesVisible');
    const queues = depth.map((a) => (a.Dimensions as { Value: string }[])[0]!.Value).sort();
    expect(queues).toEqual(Object.values(FAILURE_QUEUES).map(dev).sort());
    const deployed = Object.values(synth.json).flatMap((t) =>
      resourcesOf(t, 'AWS::SQS::Queue').map(([, q]) => q.Properties?.QueueName),
    );
    for (const queue of queues) expect(deployed).toContain(queue);
  });

  it('adds a monthly budget for the stage when given an amount, warning the alarm topic', () => {
    expect(resourcesOf(synth.json.LltObservability!, 'AWS::Budgets::Budget')).toEqual([]);
    const template = budgeted.json.LltObservability!;
    const budgets = resourcesOf(template, 'AWS::Budgets::Budget');
    expect(budgets).toHaveLength(1);
    const budget = budgets[0]![1].Properties!;
    expect(budget.Budget).toMatchObject({
      BudgetName: dev('llt-monthly-cost'),
      BudgetType: 'COST',
      TimeUnit: 'MONTHLY',
      BudgetLimit: { Amount: 250, Unit: 'USD' },
      CostFilters: { TagKeyValue: ['user:llt-stage$dev'] },
    });
    const notifications = budget.NotificationsWithSubscribers as {
      Notification: { NotificationType: string; Threshold: number };
      Subscribers: { SubscriptionType: string; Address: unknown }[];
    }[];
    expect(notifications.map((n) => [n.Notification.NotificationType, n.Notification.Threshold])).toEqual([
      ['ACTUAL', 80],
      ['FORECASTED', 100],
    ]);
    for (const n of notifications) expect(flat(n.Subscribers[0]!.Address)).toContain('AlarmTopic');
    expect(JSON.stringify(resourcesOf(template, 'AWS::SNS::TopicPolicy'))).toContain('budgets.amazonaws.com');
  });
});
