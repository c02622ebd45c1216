/**
 * The edge's DNS side: the Route 53 zone (an existing one, or one created here)
 * and the two certificates (given by ARN, or requested and DNS-validated in
 * that zone): the viewer certificate in us-east-1 for CloudFront, the origin
 * certificate in the environment's region for the ALB.
 */
import { AcmCertificate } from '@cdktf/provider-aws/lib/acm-certificate';
import { AcmCertificateValidation } from '@cdktf/provider-aws/lib/acm-certificate-validation';
import { DataAwsRoute53Zone } from '@cdktf/provider-aws/lib/data-aws-route53-zone';
import type { AwsProvider } from '@cdktf/provider-aws/lib/provider';
import { Route53Record } from '@cdktf/provider-aws/lib/route53-record';
import { Route53Zone } from '@cdktf/provider-aws/lib/route53-zone';
import { Construct } from 'constructs';

/** A certificate given by ARN (ACM), or requested here and validated through DNS records in the hosted zone. */
export type CertificateConfig = { readonly mode: 'arn'; readonly arn: string } | { readonly mode: 'dns-validated' };

/** The Route 53 hosted zone for certificate validation and alias records: an existing one (by id), or one created here. */
export type HostedZoneConfig = { readonly mode: 'existing'; readonly zoneId: string } | { readonly mode: 'create'; readonly name: string };

export interface EdgeDnsProps {
  readonly namePrefix: string;
  readonly domainName: string;
  readonly originDomainName: string;
  readonly hostedZone?: HostedZoneConfig;
  readonly viewerCertificate: CertificateConfig;
  readonly originCertificate: CertificateConfig;
  readonly usEast1Provider: AwsProvider;
  readonly preventDestroy: boolean;
}

export class EdgeDns extends Construct {
  /** The zone id, when a zone is managed or given. */
  readonly zoneId?: string;
  /** ARN of the (validated) us-east-1 certificate for `domainName`. */
  readonly viewerCertificateArn: string;
  /** ARN of the (validated) regional certificate for `originDomainName`. */
  readonly originCertificateArn: string;

  constructor(scope: Construct, id: string, props: EdgeDnsProps) {
    super(scope, id);
    const zone = props.hostedZone;
    if (zone?.mode === 'create') {
      const created = new Route53Zone(this, 'zone', {
        name: zone.name,
        comment: `${props.namePrefix}: API edge (managed by the platform)`,
        forceDestroy: !props.preventDestroy,
        lifecycle: { preventDestroy: props.preventDestroy },
      });
      this.zoneId = created.zoneId;
    } else if (zone?.mode === 'existing') {
      // Fail the plan, not the certificate validation an hour later, when the names are not in the zone.
      const existing = new DataAwsRoute53Zone(this, 'zone', {
        zoneId: zone.zoneId,
        privateZone: false,
        lifecycle: {
          postcondition: [props.domainName, props.originDomainName].map((name) => ({
            condition: `\${"${name}" == trimsuffix(self.name, ".") || endswith("${name}", format(".%s", trimsuffix(self.name, ".")))}`,
            errorMessage: `the edge's hostedZone.zoneId ${zone.zoneId} is not a parent zone of ${name}: give the public zone that holds the edge names`,
          })),
        },
      });
      this.zoneId = existing.zoneId;
    }

    this.viewerCertificateArn = this.certificate('viewer-certificate', props.viewerCertificate, props.domainName, props.usEast1Provider);
    this.originCertificateArn = this.certificate('origin-certificate', props.originCertificate, props.originDomainName, undefined);
  }

  private certificate(id: string, config: CertificateConfig, domainName: string, provider: AwsProvider | undefined): string {
    if (config.mode === 'arn') return config.arn;
    if (!this.zoneId) {
      throw new Error(`edge ${id}: a dns-validated certificate for ${domainName} needs hostedZone; give the zone, or the certificate by ARN`);
    }
    const certificate = new AcmCertificate(this, id, {
      provider,
      domainName,
      validationMethod: 'DNS',
      keyAlgorithm: 'RSA_2048',
      // A replacement must be issued before the one in use is deleted.
      lifecycle: { createBeforeDestroy: true },
      tags: { Name: domainName },
    });
    // One name per certificate, so exactly one validation record.
    const option = certificate.domainValidationOptions.get(0);
    const record = new Route53Record(this, `${id}-validation`, {
      zoneId: this.zoneId,
      name: option.resourceRecordName,
      type: option.resourceRecordType,
      records: [option.resourceRecordValue],
      ttl: 60,
      // ACM uses the same record for the same name in every region; never fail on a record already there.
      allowOverwrite: true,
    });
    const validation = new AcmCertificateValidation(this, `${id}-validated`, {
      provider,
      certificateArn: certificate.arn,
      validationRecordFqdns: [record.fqdn],
    });
    return validation.certificateArn;
  }
}
