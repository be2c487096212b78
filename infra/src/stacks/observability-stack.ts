// Operators' view of the product: one dashboard (the latency of every hop as the services measure it, Lambda
// errors and throttles, the stream consumer's lag, the workflow's outcomes, the WebSocket API) and the alarms
// that matter, published to one topic, with a monthly budget. Everything is found by its deterministic name in the
// app's stage or by SSM parameter.
import { AUDIO_STREAM_NAME, NAMESPACE } from '@llt/platform';
import { TRANSLATION_FANOUT } from '@llt/workflows';
import { Duration, Stack, type StackProps } from 'aws-cdk-lib';
import { CfnBudget } from 'aws-cdk-lib/aws-budgets';
import {
  Alarm,
  ComparisonOperator,
  Dashboard,
  GraphWidget,
  type IWidget,
  MathExpression,
  Metric,
  TextWidget,
  TreatMissingData,
} from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import { PolicyStatement, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Topic } from 'aws-cdk-lib/aws-sns';
import { EmailSubscription } from 'aws-cdk-lib/aws-sns-subscriptions';
import type { Construct } from 'constructs';
import { FAILURE_QUEUES, PARAMETERS, TRANSCRIBE_WORKERS, WEBSOCKET_STAGE } from '../config.ts';
import { pascalCase } from '../constructs/event-rules.ts';
import { ALL_FUNCTIONS, type ServiceName } from '../functions.ts';
import { AUDIO_DELIVERED, END_TO_END, SERVICE_METRICS } from '../metrics.ts';
import { platformParameter, stagedName, stateMachineArn } from '../platform-refs.ts';
import { STAGE_TAG, Stage } from '../stage.ts';

export interface ObservabilityStackProps extends StackProps {
  /** Where alarm notifications go by email (subscribe more endpoints to the topic as needed). */
  alarmEmail?: string;
  /** The p95 of AudioDeliveredMs above which the latency alarm fires. */
  audioLatencyP95Ms?: number;
  /** Monthly cost limit in USD for the stage's resources (AWS Budgets); no budget when absent. */
  monthlyBudgetUsd?: number;
}

/** Queues that hold what could not be processed (base names); anything in them is worth a look. */
export const FAILURE_QUEUE_NAMES: readonly string[] = Object.values(FAILURE_QUEUES);

const ITERATOR_AGE_LIMIT_MS = 5_000;

export function serviceMetric(service: ServiceName, metricName: string, statistic: string): Metric {
  return new Metric({
    namespace: NAMESPACE,
    metricName,
    dimensionsMap: { service },
    statistic,
    period: Duration.minutes(1),
  });
}

function lambdaMetric(functionName: string, metricName: string, statistic: string): Metric {
  return new Metric({
    namespace: 'AWS/Lambda',
    metricName,
    dimensionsMap: { FunctionName: functionName },
    statistic,
    period: Duration.minutes(1),
  });
}

// Labels only on the dashboard: a labelled metric makes an alarm a metric-math alarm.
const labelled = (metric: Metric, label: string) => metric.with({ label });

export class ObservabilityStack extends Stack {
  readonly dashboard: Dashboard;
  readonly alarmTopic: Topic;

  constructor(scope: Construct, id: string, props: ObservabilityStackProps = {}) {
    super(scope, id, props);
    const stage = Stage.of(this);
    const named = (base: string) => stagedName(this, base);
    const workflowArn = stateMachineArn(this, TRANSLATION_FANOUT.name);
    const workflowMetric = (metricName: string, statistic = 'Sum') =>
      new Metric({
        namespace: 'AWS/States',
        metricName,
        dimensionsMap: { StateMachineArn: workflowArn },
        statistic,
        period: Duration.minutes(1),
      });
    const webSocketApiId = platformParameter(this, PARAMETERS.websocketApiId);
    const webSocketMetric = (metricName: string) =>
      new Metric({
        namespace: 'AWS/ApiGateway',
        metricName,
        dimensionsMap: { ApiId: webSocketApiId, Stage: WEBSOCKET_STAGE },
        statistic: 'Sum',
        period: Duration.minutes(1),
      });
    // How far the stream's readers (the transcription workers) are behind its newest record, as Kinesis sees it.
    const iteratorAge = new Metric({
      namespace: 'AWS/Kinesis',
      metricName: 'GetRecords.IteratorAgeMilliseconds',
      dimensionsMap: { StreamName: named(AUDIO_STREAM_NAME) },
      statistic: 'Maximum',
      period: Duration.minutes(1),
    });
    const workerMetric = (namespace: string, metricName: string, statistic: string) =>
      new Metric({
        namespace,
        metricName,
        dimensionsMap: {
          ClusterName: named(TRANSCRIBE_WORKERS.cluster),
          ServiceName: named(TRANSCRIBE_WORKERS.service),
        },
        statistic,
        period: Duration.minutes(1),
      });
    const runningWorkers = workerMetric('ECS/ContainerInsights', 'RunningTaskCount', 'Minimum');

    const graph = (title: string, left: Metric[] | MathExpression[], width = 12) =>
      new GraphWidget({ title, left, width, height: 6 });
    const widgets: IWidget[][] = [
      [
        new TextWidget({
          markdown:
            '# Low-latency translate\nLatencies are measured by the services from the capture time of the audio (the end of speech for an utterance), so every figure is "how long after the speaker stopped".',
          width: 24,
          height: 2,
        }),
      ],
      [
        graph(
          'End of speech → delivery, p50 (ms)',
          END_TO_END.map((m) => serviceMetric(m.service, m.metric, 'p50').with({ label: m.label })),
        ),
        graph(
          'End of speech → delivery, p95 (ms)',
          END_TO_END.map((m) => serviceMetric(m.service, m.metric, 'p95').with({ label: m.label })),
        ),
      ],
      ...[['ingest', 'transcribe', 'translate'] as const, ['synthesize', 'notify'] as const].map((row) =>
        row.map((service) =>
          graph(
            `${service}: per-hop latency p95 (ms)`,
            SERVICE_METRICS[service].latencies.map((name) => labelled(serviceMetric(service, name, 'p95'), name)),
            24 / row.length,
          ),
        ),
      ),
      (['ingest', 'transcribe', 'notify'] as const).map((service) =>
        graph(
          `${service}: counts`,
          SERVICE_METRICS[service].counts.map((name) => labelled(serviceMetric(service, name, 'Sum'), name)),
          8,
        ),
      ),
      [
        graph(
          'Lambda errors',
          ALL_FUNCTIONS.map((f) => labelled(lambdaMetric(named(f.name), 'Errors', 'Sum'), f.name)),
          8,
        ),
        graph(
          'Lambda throttles',
          ALL_FUNCTIONS.map((f) => labelled(lambdaMetric(named(f.name), 'Throttles', 'Sum'), f.name)),
          8,
        ),
        graph(
          'Lambda duration p95 (ms)',
          ALL_FUNCTIONS.map((f) => labelled(lambdaMetric(named(f.name), 'Duration', 'p95'), f.name)),
          8,
        ),
      ],
      [
        new GraphWidget({
          title: 'Transcription workers: iterator age (ms)',
          left: [iteratorAge],
          leftAnnotations: [{ value: ITERATOR_AGE_LIMIT_MS, label: 'alarm' }],
          width: 8,
          height: 6,
        }),
        new GraphWidget({
          title: 'Transcription workers: CPU and memory (%), tasks',
          left: [
            labelled(workerMetric('AWS/ECS', 'CPUUtilization', 'Average'), 'CPU'),
            labelled(workerMetric('AWS/ECS', 'MemoryUtilization', 'Average'), 'memory'),
          ],
          right: [labelled(runningWorkers, 'running tasks')],
          width: 8,
          height: 6,
        }),
        graph(
          'Translation workflow executions',
          ['ExecutionsStarted', 'ExecutionsSucceeded', 'ExecutionsFailed', 'ExecutionsTimedOut'].map((name) =>
            labelled(workflowMetric(name), name),
          ),
          8,
        ),
        graph(
          'WebSocket API',
          ['ConnectCount', 'MessageCount', 'IntegrationError', 'ClientError', 'ExecutionError'].map((name) =>
            labelled(webSocketMetric(name), name),
          ),
          8,
        ),
      ],
    ];
    this.dashboard = new Dashboard(this, 'Dashboard', {
      dashboardName: named('llt-operations'),
      defaultInterval: Duration.hours(3),
      widgets,
    });

    this.alarmTopic = new Topic(this, 'AlarmTopic', { topicName: named('llt-alarms'), enforceSSL: true });
    if (props.alarmEmail) this.alarmTopic.addSubscription(new EmailSubscription(props.alarmEmail));
    const action = new SnsAction(this.alarmTopic);
    const alarm = (id: string, alarmProps: ConstructorParameters<typeof Alarm>[2]) => {
      const created = new Alarm(this, id, {
        treatMissingData: TreatMissingData.NOT_BREACHING,
        ...alarmProps,
      });
      created.addAlarmAction(action);
      created.addOkAction(action);
      return created;
    };

    for (const fn of ALL_FUNCTIONS) {
      const functionName = named(fn.name);
      alarm(`${pascalCase(fn.name)}Errors`, {
        alarmName: `${functionName}-errors`,
        alarmDescription: `${functionName} failed invocations`,
        metric: lambdaMetric(functionName, 'Errors', 'Sum').with({ period: Duration.minutes(5) }),
        threshold: 1,
        comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        evaluationPeriods: 1,
      });
      // A throttled invocation is an event delayed (asynchronous) or a request refused (API, workflow task): the
      // account's or the function's concurrency is too low for the load.
      alarm(`${pascalCase(fn.name)}Throttles`, {
        alarmName: `${functionName}-throttles`,
        alarmDescription: `${functionName} invocations throttled (concurrency limit reached)`,
        metric: lambdaMetric(functionName, 'Throttles', 'Sum').with({ period: Duration.minutes(5) }),
        threshold: 1,
        comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        evaluationPeriods: 1,
      });
    }
    alarm('AudioIteratorAge', {
      alarmName: named('llt-audio-iterator-age'),
      alarmDescription: `Transcription lags the audio stream by more than ${ITERATOR_AGE_LIMIT_MS / 1000} s`,
      metric: iteratorAge,
      threshold: ITERATOR_AGE_LIMIT_MS,
      comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD,
      evaluationPeriods: 2,
      datapointsToAlarm: 2,
    });
    alarm('TranscriptionWorkersDown', {
      alarmName: named('llt-transcribe-workers-down'),
      alarmDescription: 'No transcription worker is running: nobody reads the audio stream',
      metric: runningWorkers,
      threshold: 1,
      comparisonOperator: ComparisonOperator.LESS_THAN_THRESHOLD,
      evaluationPeriods: 2,
      datapointsToAlarm: 2,
      // No data at all means the service (or its metrics) is gone: that is as bad.
      treatMissingData: TreatMissingData.BREACHING,
    });
    alarm('WorkflowFailures', {
      alarmName: named('llt-workflow-failures'),
      alarmDescription: `${named(TRANSLATION_FANOUT.name)} executions failed or timed out`,
      metric: new MathExpression({
        expression: 'failed + timedOut',
        usingMetrics: {
          failed: workflowMetric('ExecutionsFailed').with({ period: Duration.minutes(5) }),
          timedOut: workflowMetric('ExecutionsTimedOut').with({ period: Duration.minutes(5) }),
        },
        period: Duration.minutes(5),
        label: 'failed or timed out executions',
      }),
      threshold: 1,
      comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      evaluationPeriods: 1,
    });
    const audioLatencyP95Ms = props.audioLatencyP95Ms ?? 1500;
    alarm('AudioDeliveredLatency', {
      alarmName: named('llt-audio-delivered-p95'),
      alarmDescription: `p95 from the end of speech to the translated audio URL at the listeners above ${audioLatencyP95Ms} ms`,
      metric: serviceMetric(AUDIO_DELIVERED.service, AUDIO_DELIVERED.metric, 'p95').with({
        period: Duration.minutes(5),
      }),
      threshold: audioLatencyP95Ms,
      comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD,
      evaluationPeriods: 2,
      datapointsToAlarm: 2,
    });
    for (const baseName of FAILURE_QUEUE_NAMES) {
      const queueName = named(baseName);
      alarm(`${pascalCase(baseName)}Queued`, {
        alarmName: `${queueName}-queued`,
        alarmDescription: `${queueName} holds records that could not be processed`,
        metric: new Metric({
          namespace: 'AWS/SQS',
          metricName: 'ApproximateNumberOfMessagesVisible',
          dimensionsMap: { QueueName: queueName },
          statistic: 'Maximum',
          period: Duration.minutes(5),
        }),
        threshold: 1,
        comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        evaluationPeriods: 1,
      });
    }

    // The language services refusing calls: the account's quota is too low for the load (see the quotas table in
    // infra/README.md). Translate and Polly report it in their own namespaces; Transcribe streaming's refusals
    // (LimitExceededException) reach the transcription workers as a stream they could not open.
    alarm('TranslateThrottled', {
      alarmName: named('llt-translate-throttled'),
      alarmDescription: 'Amazon Translate throttled TranslateText calls (AWS/Translate ThrottledCount)',
      metric: new Metric({
        namespace: 'AWS/Translate',
        metricName: 'ThrottledCount',
        dimensionsMap: { Operation: 'TranslateText' },
        statistic: 'Sum',
        period: Duration.minutes(5),
      }),
      threshold: 1,
      comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      evaluationPeriods: 1,
    });
    alarm('PollyThrottled', {
      alarmName: named('llt-polly-throttled'),
      alarmDescription:
        'Amazon Polly refused SynthesizeSpeech calls (AWS/Polly 4XXCount: throttling answers 400 ThrottlingException)',
      metric: new Metric({
        namespace: 'AWS/Polly',
        metricName: '4XXCount',
        dimensionsMap: { Operation: 'SynthesizeSpeech' },
        statistic: 'Sum',
        period: Duration.minutes(5),
      }),
      threshold: 1,
      comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      evaluationPeriods: 1,
    });
    alarm('TranscribeStreamsRefused', {
      alarmName: named('llt-transcribe-streams-refused'),
      alarmDescription:
        'Amazon Transcribe streams the workers could not open (concurrent-stream quota, LimitExceededException, or a failure)',
      metric: serviceMetric('transcribe', 'RecognizerOpenFailures', 'Sum').with({ period: Duration.minutes(5) }),
      threshold: 1,
      comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      evaluationPeriods: 1,
    });
    alarm('SessionsRefusedForCapacity', {
      alarmName: named('llt-sessions-refused-for-capacity'),
      alarmDescription: 'Speakers told to wait: every transcription worker holds as many sessions as it may',
      metric: serviceMetric('transcribe', 'SessionsRefusedForCapacity', 'Sum').with({ period: Duration.minutes(5) }),
      threshold: 1,
      comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      evaluationPeriods: 1,
    });

    alarm('SpeakersRefusedAtCapacity', {
      alarmName: named('llt-speakers-refused-at-capacity'),
      alarmDescription:
        'New sessions refused at_capacity: the transcription workers report no room (raise the Transcribe stream quota)',
      metric: serviceMetric('ingest', 'SessionsRefusedAtCapacity', 'Sum').with({ period: Duration.minutes(5) }),
      threshold: 1,
      comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      evaluationPeriods: 1,
    });

    // The APIs failing on their side: HTTP 5xx on the HTTP API; on the WebSocket API, integration and execution
    // errors (it reports no status classes).
    const httpApiId = platformParameter(this, PARAMETERS.httpApiId);
    alarm('HttpApi5xx', {
      alarmName: named('llt-http-api-5xx'),
      alarmDescription: 'HTTP API answered 5xx (a function failed, timed out or was throttled)',
      metric: new Metric({
        namespace: 'AWS/ApiGateway',
        metricName: '5xx',
        dimensionsMap: { ApiId: httpApiId, Stage: '$default' },
        statistic: 'Sum',
        period: Duration.minutes(5),
      }),
      threshold: 5,
      comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      evaluationPeriods: 1,
    });
    alarm('WebSocketApiErrors', {
      alarmName: named('llt-websocket-api-errors'),
      alarmDescription: 'WebSocket API integration or execution errors (the 5xx of a WebSocket API)',
      metric: new MathExpression({
        expression: 'integration + execution',
        usingMetrics: {
          integration: webSocketMetric('IntegrationError').with({ period: Duration.minutes(5) }),
          execution: webSocketMetric('ExecutionError').with({ period: Duration.minutes(5) }),
        },
        period: Duration.minutes(5),
        label: 'integration and execution errors',
      }),
      threshold: 5,
      comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      evaluationPeriods: 1,
    });

    if (props.monthlyBudgetUsd !== undefined) this.addBudget(stage, props.monthlyBudgetUsd);
  }

  /**
   * A monthly AWS Budgets cost budget for the stage's resources (those tagged with the stage; activate the tag as a
   * cost allocation tag in Billing), warning the alarm topic at 80 % of actual cost and 100 % of forecast cost.
   */
  private addBudget(stage: Stage, amountUsd: number): void {
    this.alarmTopic.addToResourcePolicy(
      new PolicyStatement({
        actions: ['sns:Publish'],
        principals: [new ServicePrincipal('budgets.amazonaws.com')],
        resources: [this.alarmTopic.topicArn],
        conditions: { StringEquals: { 'aws:SourceAccount': this.account } },
      }),
    );
    const subscribers = [{ subscriptionType: 'SNS', address: this.alarmTopic.topicArn }];
    const notification = (notificationType: 'ACTUAL' | 'FORECASTED', threshold: number) => ({
      notification: { notificationType, comparisonOperator: 'GREATER_THAN', threshold, thresholdType: 'PERCENTAGE' },
      subscribers,
    });
    new CfnBudget(this, 'MonthlyBudget', {
      budget: {
        budgetName: stage.resource('llt-monthly-cost'),
        budgetType: 'COST',
        timeUnit: 'MONTHLY',
        budgetLimit: { amount: amountUsd, unit: 'USD' },
        costFilters: { TagKeyValue: [`user:${STAGE_TAG}$${stage.name}`] },
      },
      notificationsWithSubscribers: [notification('ACTUAL', 80), notification('FORECASTED', 100)],
    });
  }
}
