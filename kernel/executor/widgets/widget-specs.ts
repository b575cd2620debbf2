// The widget models' specifications as the Jupyter widgets project publishes them
// (@jupyter-widgets/schema: every attribute of every @jupyter-widgets/controls 2.0 model, with its
// type and default). Tempo's widgets take their full initial state from here rather than from a
// hand-kept copy, and check what a front end sends against it.

export interface AttributeSpec {
  name: string;
  type: string | string[];
  default: unknown;
  allow_none?: boolean;
  enum?: string[];
  items?: { type: string; widget?: string };
  /** For `reference`: the model it points at (`Layout`, `SliderStyle`, `Widget`). */
  widget?: string;
}

export interface ModelSpec {
  model: { module: string; name: string; version: string };
  view: { module: string | null; name: string | null; version: string };
  attributes: AttributeSpec[];
}

/** The default the schema gives a reference attribute: a fresh instance of its model. */
export const NEW_INSTANCE = 'reference to new instance';

let specs: Map<string, ModelSpec> | undefined;

/** The spec of `modelName` (`IntSliderModel`); loaded on first use, so cells without widgets never parse it. */
export function specOf(modelName: string): ModelSpec {
  specs ??= new Map((require('@jupyter-widgets/schema/jupyterwidgetmodels.latest.json') as ModelSpec[]).map((spec) => [spec.model.name, spec]));
  const spec = specs.get(modelName);
  if (!spec) throw new Error(`no widget model named ${modelName}`);
  return spec;
}

const isInt = (value: unknown): boolean => Number.isInteger(value);
const isNumber = (value: unknown): boolean => typeof value === 'number' && Number.isFinite(value);

/** Whether `value` is one `type` of the schema allows. Dates and binary types are not used by Tempo's widgets. */
function fitsType(type: string, value: unknown, attribute: AttributeSpec): boolean {
  switch (type) {
    case 'int':
      return isInt(value);
    case 'float':
      return isNumber(value);
    case 'bool':
      return typeof value === 'boolean';
    case 'string':
      return typeof value === 'string' && (!attribute.enum || attribute.enum.includes(value));
    case 'array':
      return Array.isArray(value);
    case 'object':
      return typeof value === 'object' && value !== null && !Array.isArray(value);
    case 'reference':
      return typeof value === 'string' && value.startsWith('IPY_MODEL_');
    default:
      return value !== undefined;
  }
}

/** Why `value` cannot be `attribute`, or undefined when it can. */
export function invalidValue(attribute: AttributeSpec, value: unknown): string | undefined {
  if (value === null && attribute.allow_none) return undefined;
  const types = Array.isArray(attribute.type) ? attribute.type : [attribute.type];
  if (types.some((type) => fitsType(type, value, attribute))) return undefined;
  return `${attribute.name} must be ${types.join(' or ')}${attribute.enum ? ` (one of ${attribute.enum.join(', ')})` : ''}, not ${JSON.stringify(value)}`;
}
