import { Controller, Get, Inject, Param } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Principal } from '#core';
import { ArchivesService } from '../archives/archives.service.js';
import { CurrentPrincipal } from '../common/principal.decorator.js';
import { JobsService } from '../jobs/jobs.service.js';

/**
 * The artifact link as JSON. A browser cannot read the Location of the 302 that
 * GET /v1/jobs/{id}/artifact answers (fetch hides redirects it does not follow, and
 * following one to the object store needs CORS there), so the console asks here and then
 * navigates to the presigned link itself. Same permissions and errors as /artifact.
 */
@ApiTags('jobs')
@ApiBearerAuth()
@Controller('v1/jobs')
export class ArtifactLinkController {
  constructor(
    @Inject(JobsService) private readonly jobs: JobsService,
    @Inject(ArchivesService) private readonly archives: ArchivesService,
  ) {}

  @Get(':id/artifact-link')
  @ApiOperation({ summary: "A succeeded export's presigned, expiring download link, answered as JSON ({url})." })
  async link(@CurrentPrincipal() caller: Principal, @Param('id') id: string) {
    return { url: await this.archives.artifactUrl(id, await this.jobs.get(caller, id)) };
  }
}
