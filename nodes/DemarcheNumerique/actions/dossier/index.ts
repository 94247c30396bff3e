import type { INodeProperties } from 'n8n-workflow';

import type { OperationMap } from '../common/types';
import * as get from './get.operation';
import * as getMany from './getMany.operation';
import * as getManyDeleted from './getManyDeleted.operation';
import * as passerEnInstruction from './passerEnInstruction.operation';
import * as accept from './accept.operation';
import * as refuse from './refuse.operation';
import * as classerSansSuite from './classerSansSuite.operation';
import * as repasserEnInstruction from './repasserEnInstruction.operation';
import * as repasserEnConstruction from './repasserEnConstruction.operation';
import * as archive from './archive.operation';
import * as unarchive from './unarchive.operation';
import * as changeGroupeInstructeur from './changeGroupeInstructeur.operation';
import * as follow from './follow.operation';
import * as unfollow from './unfollow.operation';
import * as addLabel from './addLabel.operation';
import * as removeLabel from './removeLabel.operation';
import * as sendMessage from './sendMessage.operation';
import * as deleteMessage from './deleteMessage.operation';
import * as updateAnnotations from './updateAnnotations.operation';
import * as downloadFiles from './downloadFiles.operation';
import * as createPrefilled from './createPrefilled.operation';
import * as getPrefillStatus from './getPrefillStatus.operation';

export const operations: OperationMap = { get, getMany, getManyDeleted, passerEnInstruction, accept, refuse, classerSansSuite, repasserEnInstruction, repasserEnConstruction, archive, unarchive, changeGroupeInstructeur, follow, unfollow, addLabel, removeLabel, sendMessage, deleteMessage, updateAnnotations, downloadFiles, createPrefilled, getPrefillStatus };

export const description: INodeProperties[] = [
	{
		displayName: 'Operation',
		name: 'operation',
		type: 'options',
		noDataExpression: true,
		displayOptions: { show: { resource: ['dossier'] } },
		options: [
			{
				name: 'Accept',
				value: 'accept',
				action: 'Accept a dossier',
				description: 'Accept a dossier (accepté), with an optional motivation and justificatif',
			},
			{
				name: 'Add Label',
				value: 'addLabel',
				action: 'Add a label to a dossier',
				description: 'Put a label of the démarche on a dossier',
			},
			{
				name: 'Archive',
				value: 'archive',
				action: 'Archive a dossier',
				description: 'Archive a dossier that has a final decision',
			},
			{
				name: 'Change Groupe Instructeur',
				value: 'changeGroupeInstructeur',
				action: 'Move a dossier to another groupe instructeur',
				description: 'Move a dossier to another groupe instructeur of its démarche',
			},
			{
				name: 'Close as Sans Suite',
				value: 'classerSansSuite',
				action: 'Close a dossier as sans suite',
				description: 'Close a dossier as sans suite (classer sans suite) with a motivation',
			},
			{
				name: 'Create Prefilled',
				value: 'createPrefilled',
				action: 'Create a prefilled dossier',
				description: 'Create a dossier prefilled with values and get the link the usager opens',
			},
			{
				name: 'Delete Message',
				value: 'deleteMessage',
				action: 'Delete a message of a dossier',
				description: 'Delete a message an instructeur sent on a dossier',
			},
			{
				name: 'Download Files',
				value: 'downloadFiles',
				action: 'Download the files of a dossier',
				description:
					'Download the files of a dossier (attachments of champs, annotations, messages, attestation, decision justificatif, optional PDF export) as binary data, one item per file',
			},
			{
				name: 'Follow',
				value: 'follow',
				action: 'Follow a dossier',
				description: 'Make an instructeur follow a dossier',
			},
			{
				name: 'Get',
				value: 'get',
				action: 'Get a dossier',
				description:
					'Get one dossier (an application) by its number: state, dates, usager, form answers (champs) and private annotations keyed by label or stable champ ID, labels, instructeurs',
			},
			{
				name: 'Get Many',
				value: 'getMany',
				action: 'Get many dossiers',
				description:
					'List the dossiers of a démarche, optionally only one groupe instructeur, filtered by state, archived, deposit date, last update date or form revision',
			},
			{
				name: 'Get Many Deleted',
				value: 'getManyDeleted',
				action: 'Get many deleted dossiers',
				description:
					'List the dossiers of a démarche that were deleted (purged) or are pending deletion (pendingDeletion), with the reason and date, optionally since a date',
			},
			{
				name: 'Get Prefill Status',
				value: 'getPrefillStatus',
				action: 'Get the status of prefilled dossiers',
				description: 'Get the state of dossiers created by prefill, from their prefill tokens',
			},
			{
				name: 'Move Back to En Construction',
				value: 'repasserEnConstruction',
				action: 'Move a dossier back to en construction',
				description:
					'Move a dossier from en instruction back to en construction so the usager can edit it (repasser en construction)',
			},
			{
				name: 'Move Back to En Instruction',
				value: 'repasserEnInstruction',
				action: 'Move a dossier back to en instruction',
				description: 'Move a dossier with a decision (accepté, refusé, sans suite) back to en instruction (repasser en instruction)',
			},
			{
				name: 'Move to En Instruction',
				value: 'passerEnInstruction',
				action: 'Move a dossier to en instruction',
				description: 'Move a dossier from en construction to en instruction (passer en instruction)',
			},
			{
				name: 'Refuse',
				value: 'refuse',
				action: 'Refuse a dossier',
				description: 'Refuse a dossier (refusé) with a motivation',
			},
			{
				name: 'Remove Label',
				value: 'removeLabel',
				action: 'Remove a label from a dossier',
				description: 'Remove a label from a dossier',
			},
			{
				name: 'Send Message',
				value: 'sendMessage',
				action: 'Send a message on a dossier',
				description: 'Send a message to the usager, optionally with an attachment or a correction request',
			},
			{
				name: 'Unarchive',
				value: 'unarchive',
				action: 'Unarchive a dossier',
				description: 'Take a dossier out of the archives',
			},
			{
				name: 'Unfollow',
				value: 'unfollow',
				action: 'Unfollow a dossier',
				description: 'Make an instructeur stop following a dossier',
			},
			{
				name: 'Update Annotations',
				value: 'updateAnnotations',
				action: 'Update annotations of a dossier',
				description: 'Write private annotations of a dossier, each converted to its type',
			},
		],
		default: 'get',
	},
	...Object.values(operations).flatMap((operation) => operation.description),
];
