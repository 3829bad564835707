import { ValidationPipe } from '@nestjs/common';
import { toFieldErrors, validationErrorOf } from '#core';

export function createValidationPipe(): ValidationPipe {
  return new ValidationPipe({
    transform: true,
    whitelist: true,
    forbidNonWhitelisted: true,
    exceptionFactory: (errors) => validationErrorOf(toFieldErrors(errors)),
  });
}
