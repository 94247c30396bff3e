import type { Document } from './queries';

/** What every dossier mutation returns: enough to chain the next node without another read. */
export const MUTATED_DOSSIER_FRAGMENT = /* GraphQL */ `
fragment MutatedDossierFields on Dossier {
  id
  number
  state
  archived
  motivation
  dateDepot
  datePassageEnInstruction
  dateTraitement
  dateDerniereModification
  groupeInstructeur { id number label }
  labels { id name }
  instructeurs { id email }
}`;

const GROUPE_FIELDS = 'groupeInstructeur { id number label closed instructeurs { id email } }';
const MESSAGE_FIELDS =
	'message { id body email createdAt correction { reason dateResolution } attachments { filename contentType byteSizeBigInt checksum } }';

export interface MutationDocument extends Document {
	/** Root field of the payload in `data`. */
	mutationField: string;
}

function mutation(
	operationName: string,
	mutationField: string,
	inputType: string,
	selection: string,
): MutationDocument {
	const usesDossier = selection.includes('...MutatedDossierFields');
	return {
		operationName,
		mutationField,
		query: `mutation ${operationName}($input: ${inputType}!) {
  ${mutationField}(input: $input) {
    errors { message }
    ${selection}
  }
}${usesDossier ? MUTATED_DOSSIER_FRAGMENT : ''}`,
	};
}

const DOSSIER = 'dossier { ...MutatedDossierFields }';

/** The six state changes share one shape: input with dossierId, instructeurId, disableNotification. */
export type StateChange =
	| 'passerEnInstruction'
	| 'accept'
	| 'refuse'
	| 'classerSansSuite'
	| 'repasserEnInstruction'
	| 'repasserEnConstruction';

export const STATE_CHANGE_MUTATIONS: Record<StateChange, MutationDocument> = {
	passerEnInstruction: mutation('DossierPasserEnInstruction', 'dossierPasserEnInstruction', 'DossierPasserEnInstructionInput', DOSSIER),
	accept: mutation('DossierAccepter', 'dossierAccepter', 'DossierAccepterInput', DOSSIER),
	refuse: mutation('DossierRefuser', 'dossierRefuser', 'DossierRefuserInput', DOSSIER),
	classerSansSuite: mutation('DossierClasserSansSuite', 'dossierClasserSansSuite', 'DossierClasserSansSuiteInput', DOSSIER),
	repasserEnInstruction: mutation('DossierRepasserEnInstruction', 'dossierRepasserEnInstruction', 'DossierRepasserEnInstructionInput', DOSSIER),
	repasserEnConstruction: mutation('DossierRepasserEnConstruction', 'dossierRepasserEnConstruction', 'DossierRepasserEnConstructionInput', DOSSIER),
};

export const DOSSIER_ARCHIVER = mutation('DossierArchiver', 'dossierArchiver', 'DossierArchiverInput', DOSSIER);
export const DOSSIER_DESARCHIVER = mutation('DossierDesarchiver', 'dossierDesarchiver', 'DossierDesarchiverInput', DOSSIER);
export const DOSSIER_CHANGER_GROUPE = mutation(
	'DossierChangerGroupeInstructeur',
	'dossierChangerGroupeInstructeur',
	'DossierChangerGroupeInstructeurInput',
	DOSSIER,
);
export const DOSSIER_BASCULE_SUIVI = mutation('DossierBasculeSuivi', 'dossierBasculeSuivi', 'DossierBasculeSuiviInput', DOSSIER);
export const DOSSIER_AJOUTER_LABEL = mutation('DossierAjouterLabel', 'dossierAjouterLabel', 'DossierAjouterLabelInput', `${DOSSIER}\n    label { id name }`);
export const DOSSIER_SUPPRIMER_LABEL = mutation('DossierSupprimerLabel', 'dossierSupprimerLabel', 'DossierSupprimerLabelInput', `${DOSSIER}\n    label { id name }`);

export const DOSSIER_ENVOYER_MESSAGE = mutation('DossierEnvoyerMessage', 'dossierEnvoyerMessage', 'DossierEnvoyerMessageInput', MESSAGE_FIELDS);
export const DOSSIER_SUPPRIMER_MESSAGE = mutation('DossierSupprimerMessage', 'dossierSupprimerMessage', 'DossierSupprimerMessageInput', MESSAGE_FIELDS);

const ANNOTATION_CHAMP = 'id champDescriptorId label stringValue updatedAt';

export const DOSSIER_MODIFIER_ANNOTATIONS = mutation(
	'DossierModifierAnnotations',
	'dossierModifierAnnotations',
	'DossierModifierAnnotationsInput',
	`annotations { ${ANNOTATION_CHAMP} }`,
);

/**
 * The same write, returning the rows of the repetitions written (with their champs' IDs), so the
 * rows just added can be filled by a second call.
 */
export const DOSSIER_MODIFIER_ANNOTATIONS_ROWS = mutation(
	'DossierModifierAnnotationsRows',
	'dossierModifierAnnotations',
	'DossierModifierAnnotationsInput',
	`annotations { ${ANNOTATION_CHAMP} ... on RepetitionChamp { rows { id champs { id champDescriptorId } } } }`,
);

/** The deprecated one-annotation-per-call mutations: all that some forks offer. */
export type LegacyAnnotationKind =
	| 'Text'
	| 'Checkbox'
	| 'Date'
	| 'Datetime'
	| 'IntegerNumber'
	| 'DecimalNumber'
	| 'DropDownList'
	| 'AjouterLigne';

export function legacyAnnotationMutation(kind: LegacyAnnotationKind): MutationDocument {
	return mutation(
		`DossierModifierAnnotation${kind}`,
		`dossierModifierAnnotation${kind}`,
		`DossierModifierAnnotation${kind}Input`,
		`annotation { ${ANNOTATION_CHAMP} }`,
	);
}

export const CREATE_DIRECT_UPLOAD: MutationDocument = {
	operationName: 'CreateDirectUpload',
	mutationField: 'createDirectUpload',
	query: `mutation CreateDirectUpload($input: CreateDirectUploadInput!) {
  createDirectUpload(input: $input) {
    directUpload { url headers blobId signedBlobId }
  }
}`,
};

export const GROUPE_INSTRUCTEUR_CREER = mutation(
	'GroupeInstructeurCreer',
	'groupeInstructeurCreer',
	'GroupeInstructeurCreerInput',
	`${GROUPE_FIELDS}\n    warnings { message }`,
);
export const GROUPE_INSTRUCTEUR_MODIFIER = mutation(
	'GroupeInstructeurModifier',
	'groupeInstructeurModifier',
	'GroupeInstructeurModifierInput',
	GROUPE_FIELDS,
);
export const GROUPE_INSTRUCTEUR_AJOUTER_INSTRUCTEURS = mutation(
	'GroupeInstructeurAjouterInstructeurs',
	'groupeInstructeurAjouterInstructeurs',
	'GroupeInstructeurAjouterInstructeursInput',
	`${GROUPE_FIELDS}\n    warnings { message }`,
);
export const GROUPE_INSTRUCTEUR_SUPPRIMER_INSTRUCTEURS = mutation(
	'GroupeInstructeurSupprimerInstructeurs',
	'groupeInstructeurSupprimerInstructeurs',
	'GroupeInstructeurSupprimerInstructeursInput',
	GROUPE_FIELDS,
);

export const DEMARCHE_CLONER = mutation(
	'DemarcheCloner',
	'demarcheCloner',
	'DemarcheClonerInput',
	'demarche { id number title state dateCreation }',
);

/** The server's mutation names, to detect what a fork or an older instance lacks. */
export const MUTATION_NAMES: Document = {
	operationName: 'GetMutationNames',
	query: `query GetMutationNames {
  __schema { mutationType { fields { name } } }
}`,
};

/** The value keys dossierModifierAnnotations accepts on this server (PR #13561 added eight). */
export const ANNOTATION_VALUE_KEYS: Document = {
	operationName: 'GetAnnotationValueKeys',
	query: `query GetAnnotationValueKeys {
  __type(name: "AnnotationValueInput") { inputFields { name } }
}`,
};

/** Labels of a démarche, to put or remove one by name. */
export const DEMARCHE_LABELS: Document = {
	operationName: 'GetDemarcheLabels',
	query: `query GetDemarcheLabels($number: Int!) {
  demarche(number: $number) { id number labels { id name } }
}`,
};

/**
 * After a refused state change: the dossier's real state (the platform's "déjà …" may not be about
 * it) and its annotations as served (visible ones), to name the mandatory ones left empty.
 */
export const GET_DOSSIER_STATE_AND_ANNOTATIONS: Document = {
	operationName: 'GetDossierStateAndAnnotations',
	query: `query GetDossierStateAndAnnotations($number: Int!) {
  dossier(number: $number) {
    ...MutatedDossierFields
    annotations {
      champDescriptorId
      stringValue
      ... on RepetitionChamp { rows { champs { champDescriptorId stringValue } } }
    }
  }
}${MUTATED_DOSSIER_FRAGMENT}`,
};
