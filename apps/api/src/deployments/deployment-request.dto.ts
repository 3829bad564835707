import { ApiProperty } from '@nestjs/swagger';
import { ArrayMaxSize, ArrayMinSize, IsArray, IsString } from 'class-validator';

export class DeploymentRequestDto {
  @ApiProperty({ type: [String], example: ['test', 'production'], description: 'names of environments of the project' })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(100)
  @IsString({ each: true })
  environments!: string[];
}
