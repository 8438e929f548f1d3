import type { TaskType } from '../tasks/task-type';
import { FAULT_TYPES, SYSTEM_LEVELS } from '../tasks/taxonomy';
import type { ActionDefinition } from './types';

const detection: ActionDefinition = {
  name: 'submit',
  kind: 'action',
  usage: 'submit("Yes") or submit("No")',
  doc: `Submit whether the service has anomalies. This ends the episode.

Args:
    has_anomaly (str): "Yes" if there are anomalies, "No" if there are none.

Returns:
    SubmissionStatus: Confirmation that the answer was recorded (not whether it is right).`,
  parameters: [
    {
      name: 'has_anomaly',
      schema: { type: 'string', enum: ['Yes', 'No'], description: '"Yes" if there are anomalies, "No" if there are none.' },
    },
  ],
};

const localization: ActionDefinition = {
  name: 'submit',
  kind: 'action',
  usage: 'submit(["<service>", ...]) or submit([])',
  doc: `Submit the components where the fault is. This ends the episode.

Note: list the most likely component first; submit an empty list if there is no fault.

Args:
    faulty_components (list[str]): The names of the faulty services or components, most likely first.

Returns:
    SubmissionStatus: Confirmation that the answer was recorded (not whether it is right).`,
  parameters: [
    {
      name: 'faulty_components',
      schema: {
        type: 'array',
        items: { type: 'string' },
        description: 'Names of the faulty services or components, most likely first; [] if there is no fault.',
      },
    },
  ],
};

const analysis: ActionDefinition = {
  name: 'submit',
  kind: 'action',
  usage: 'submit({"system_level": "<system_level>", "fault_type": "<fault_type>"})',
  doc: `Submit the root cause of the fault. This ends the episode.

Args:
    analysis (dict[str, str]): A dictionary with two keys: "system_level", the layer where the root cause is
        (one of ${SYSTEM_LEVELS.map((s) => `"${s}"`).join(', ')}), and "fault_type", the kind of fault
        (one of ${FAULT_TYPES.map((s) => `"${s}"`).join(', ')}).

Returns:
    SubmissionStatus: Confirmation that the answer was recorded (not whether it is right).`,
  parameters: [
    {
      name: 'analysis',
      schema: {
        type: 'object',
        description: 'The root cause: the system level it lies in and the type of fault.',
        properties: {
          system_level: { type: 'string', enum: [...SYSTEM_LEVELS] },
          fault_type: { type: 'string', enum: [...FAULT_TYPES] },
        },
        required: ['system_level', 'fault_type'],
        additionalProperties: false,
      },
    },
  ],
};

const mitigation: ActionDefinition = {
  name: 'submit',
  kind: 'action',
  usage: 'submit()',
  doc: `Tell the lab that you have finished mitigating the fault. This ends the episode.

Note: it takes no arguments. The cluster's state is then checked to decide whether the mitigation worked.

Returns:
    SubmissionStatus: Confirmation that the submission was recorded (not whether the fix worked).`,
  parameters: [],
};

const BY_TASK: Record<TaskType, ActionDefinition> = { detection, localization, analysis, mitigation };

/** The task's `submit` action: its one parameter (none for mitigation) carries the answer. */
export function submitFor(task: TaskType): ActionDefinition {
  return BY_TASK[task];
}
