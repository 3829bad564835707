import { ApiProperty } from '@nestjs/swagger';
import { ArrayMaxSize, ArrayMinSize, IsArray, IsString } from 'class-validator';
import { JobWebhookOption } from '../jobs/job-webhook.js';

export class DeploymentRequestDto {
  @ApiProperty({ type: [String], example: ['test', 'production'], description: 'names of environments of the project' })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(100)
  @IsString({ each: true })
  environments!: string[];

  @JobWebhookOption()
  webhook?: Record<string, unknown>;
}
