// The translation fan-out: the Express state machine from the workflow's own ASL file, its Task resources
// substituted with the services' function ARNs (by their deterministic names in the app's stage), started by the
// TranscriptFinalized rule with the whole event as input.
import { TRANSLATION_FANOUT } from '@llt/workflows';
import { Duration, RemovalPolicy, Stack, type StackProps } from 'aws-cdk-lib';
import { SfnStateMachine } from 'aws-cdk-lib/aws-events-targets';
import { PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import { DefinitionBody, LogLevel, StateMachine, StateMachineType } from 'aws-cdk-lib/aws-stepfunctions';
import type { Construct } from 'constructs';
import { FAILURE_QUEUES } from '../config.ts';
import { addRules } from '../constructs/event-rules.ts';
import { acknowledge } from '../nag.ts';
import { functionArn } from '../platform-refs.ts';
import { Stage } from '../stage.ts';

export interface WorkflowStackProps extends StackProps {
  logRetention?: RetentionDays;
}

export class WorkflowStack extends Stack {
  readonly stateMachine: StateMachine;

  constructor(scope: Construct, id: string, props: WorkflowStackProps = {}) {
    super(scope, id, props);
    const stage = Stage.of(this);
    const stateMachineName = stage.resource(TRANSLATION_FANOUT.name);
    const taskFunctions = Object.fromEntries(
      Object.entries(TRANSLATION_FANOUT.functions).map(([placeholder, fn]) => [
        placeholder,
        functionArn(this, fn.name),
      ]),
    );

    const role = new Role(this, 'StateMachineRole', {
      assumedBy: new ServicePrincipal('states.amazonaws.com'),
      description: `${stateMachineName}: invokes its task functions, logs, traces`,
    });
    // Exactly the task functions, unqualified (the ARNs the definition names).
    role.addToPrincipalPolicy(
      new PolicyStatement({ actions: ['lambda:InvokeFunction'], resources: Object.values(taskFunctions) }),
    );

    const logGroup = new LogGroup(this, 'StateMachineLogs', {
      logGroupName: `/aws/vendedlogs/states/${stateMachineName}`,
      retention: props.logRetention ?? RetentionDays.ONE_MONTH,
      removalPolicy: RemovalPolicy.DESTROY,
    });

    this.stateMachine = new StateMachine(this, 'TranslationFanout', {
      stateMachineName,
      stateMachineType: StateMachineType.EXPRESS,
      definitionBody: DefinitionBody.fromFile(TRANSLATION_FANOUT.aslPath),
      definitionSubstitutions: taskFunctions,
      role,
      tracingEnabled: true,
      // Execution data holds the transcript text: kept out of the logs.
      logs: { destination: logGroup, level: LogLevel.ALL, includeExecutionData: false },
    });
    acknowledge(role, {
      id: 'AwsSolutions-IAM5',
      findings: ['Resource::*'],
      reason:
        'Step Functions log delivery (logs:CreateLogDelivery, GetLogDelivery, UpdateLogDelivery, DeleteLogDelivery, ListLogDeliveries, PutResourcePolicy, DescribeResourcePolicies, DescribeLogGroups) and X-Ray (PutTraceSegments, PutTelemetryRecords, GetSamplingRules, GetSamplingTargets) have no resource-level permissions.',
    });

    // Events that could not start an execution (after EventBridge's retries) are kept, not dropped.
    const undelivered = new Queue(this, 'UndeliveredEvents', {
      queueName: stage.resource(FAILURE_QUEUES.workflow),
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
    });
    acknowledge(undelivered, {
      id: 'AwsSolutions-SQS3',
      reason: 'This queue is itself the dead-letter queue of the rule target that starts the workflow.',
    });

    addRules(
      this,
      [TRANSLATION_FANOUT.rule],
      () =>
        new SfnStateMachine(this.stateMachine, {
          deadLetterQueue: undelivered,
          retryAttempts: 3,
          // A sentence translated a minute late is no longer live.
          maxEventAge: Duration.minutes(1),
        }),
    );
  }
}
