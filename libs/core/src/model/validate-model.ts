import { plainToInstance, type ClassConstructor } from 'class-transformer';
import { validate, type ValidationError as ClassValidatorError } from 'class-validator';
import { ValidationError, type FieldError } from '../errors.js';

/** class-validator's error tree flattened into JSON pointers into the document. */
export function toFieldErrors(errors: ClassValidatorError[], parent = ''): FieldError[] {
  return errors.flatMap((error) => {
    const pointer = `${parent}/${String(error.property).replace(/~/g, '~0').replace(/\//g, '~1')}`;
    const own = Object.values(error.constraints ?? {}).map((detail) => ({ pointer, detail }));
    return [...own, ...toFieldErrors(error.children ?? [], pointer)];
  });
}

export function validationErrorOf(fieldErrors: FieldError[], subject = 'request'): ValidationError {
  const summary = fieldErrors
    .slice(0, 3)
    .map((e) => `${e.pointer} ${e.detail}`)
    .join('; ');
  return new ValidationError(`The ${subject} is invalid: ${summary}${fieldErrors.length > 3 ? '; ...' : ''}`, fieldErrors);
}

/** Validates a plain document (an archive entry, a job payload) against a model class. */
export async function validateModel<T extends object>(model: ClassConstructor<T>, plain: unknown, subject: string): Promise<T> {
  if (typeof plain !== 'object' || plain === null || Array.isArray(plain)) {
    throw validationErrorOf([{ pointer: '', detail: 'must be a JSON object' }], subject);
  }
  const instance = plainToInstance(model, plain);
  const errors = await validate(instance, { whitelist: true, forbidNonWhitelisted: true });
  if (errors.length > 0) throw validationErrorOf(toFieldErrors(errors), subject);
  return instance;
}
