/**
 * OpenAPI annotations for the shared model classes, recorded here and applied by the API
 * (applyModelDocs) before it builds its OpenAPI document.
 *
 * Why not @nestjs/swagger's decorators directly: the model lives in libs/core, which every
 * worker loads too, and importing @nestjs/swagger costs a process about 8 MB of resident
 * memory and some 530 modules (with es-toolkit) for a document only the API serves. The
 * worker's idle memory is part of every job's peak (docs/BENCHMARKS.md).
 */
export type PropertyDocs = Record<string, unknown>;

/** The two swagger decorators the API passes in: the shape of @nestjs/swagger's. */
export interface SwaggerPropertyDecorators {
  ApiProperty(options?: PropertyDocs): PropertyDecorator;
  ApiPropertyOptional(options?: PropertyDocs): PropertyDecorator;
}

interface RecordedProperty {
  target: object;
  key: string | symbol;
  options: PropertyDocs;
  optional: boolean;
}

/** In declaration order, which is the order of the properties in the document. */
const recorded: RecordedProperty[] = [];

export function ApiProperty(options: PropertyDocs = {}): PropertyDecorator {
  return (target, key) => void recorded.push({ target, key, options, optional: false });
}

export function ApiPropertyOptional(options: PropertyDocs = {}): PropertyDecorator {
  return (target, key) => void recorded.push({ target, key, options, optional: true });
}

/**
 * Applies every recorded annotation with swagger's own decorators. A decorator applied
 * after the class is defined sees the same prototype and `design:type` metadata as one
 * written on the property. Runs once per process; later calls find nothing left to apply.
 */
export function applyModelDocs(swagger: SwaggerPropertyDecorators): void {
  for (const { target, key, options, optional } of recorded.splice(0)) {
    (optional ? swagger.ApiPropertyOptional(options) : swagger.ApiProperty(options))(target, key);
  }
}
