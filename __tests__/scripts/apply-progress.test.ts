import { ApplyProgress, lineSplitter } from '../../scripts/lib/apply-progress';

/** A clock the test moves by hand. */
function clock(start = 0) {
  let now = start;
  return { now: () => now, advance: (ms: number) => (now += ms) };
}

describe('progress of an apply (ApplyProgress)', () => {
  it('reports done / total from cdktf deploy\'s lines, at most every 5 s, naming the slowest in progress with their elapsed time', () => {
    const time = clock();
    const reports: string[] = [];
    const progress = new ApplyProgress((text) => reports.push(text), { now: time.now });
    const feed = (line: string) => progress.line(line);

    feed('local  Plan: 3 to add, 1 to change, 0 to destroy.');
    feed('local  aws_vpc.network_vpc_1A2B: Creating...');
    feed('local  aws_lb.edge_origin_load-balancer_32908A3A: Creating...');
    expect(reports).toEqual(['0/4 resources done (0 %), 1 in progress; slowest: aws_vpc.network_vpc_1A2B 0 s']);
    time.advance(2000);
    feed('local  aws_vpc.network_vpc_1A2B: Creation complete after 2s [id=vpc-1]'); // within 5 s of the last report: quiet
    expect(reports).toHaveLength(1);
    time.advance(10_000);
    feed('local  aws_lb.edge_origin_load-balancer_32908A3A: Still creating... [10s elapsed]');
    expect(reports[1]).toBe('1/4 resources done (25 %), 1 in progress; slowest: aws_lb.edge_origin_load-balancer_32908A3A 12 s');
    feed('local  aws_route53_zone.dns_zone_9C8D: Modifying... [id=Z1]');
    time.advance(50_000);
    feed('local  aws_route53_zone.dns_zone_9C8D: Modifications complete after 50s [id=Z1]');
    expect(reports[2]).toBe('2/4 resources done (50 %), 1 in progress; slowest: aws_lb.edge_origin_load-balancer_32908A3A 62 s');
    feed('local  aws_lb.edge_origin_load-balancer_32908A3A: Creation complete after 1m2s [id=arn:aws:elasticloadbalancing:...]');
    feed('local  aws_lb_listener.edge_origin_https-listener_A1B5: Creating...');
    feed('local  aws_lb_listener.edge_origin_https-listener_A1B5: Creation complete after 0s [id=arn:...]'); // the last: always reported
    expect(reports[reports.length - 1]).toBe('4/4 resources done (100 %)');
  });

  it('takes the elapsed time Terraform states when it did not see the resource start, and the total it is given', () => {
    const time = clock(100_000);
    const reports: string[] = [];
    const progress = new ApplyProgress((text) => reports.push(text), { now: time.now, total: 6 });
    progress.line('aws_cloudfront_distribution.edge_cdn_1234: Still destroying... [id=E1, 1m30s elapsed]');
    expect(reports).toEqual(['0/6 resources done (0 %), 1 in progress; slowest: aws_cloudfront_distribution.edge_cdn_1234 90 s']);
  });

  it('reports where it stands when an error comes, and counts without a total when no plan line was seen', () => {
    const time = clock();
    const reports: string[] = [];
    const progress = new ApplyProgress((text) => reports.push(text), { now: time.now, intervalMs: 60_000 });
    progress.line('aws_iam_role.ci_role_1: Creating...');
    progress.line('aws_iam_role.ci_role_1: Creation complete after 1s [id=ci]');
    progress.line('aws_s3_bucket.logs_1: Creating...');
    progress.line('│ Error: creating S3 Bucket (logs): BucketAlreadyExists');
    expect(reports).toEqual(['0 resources done, 1 in progress; slowest: aws_iam_role.ci_role_1 0 s', '1 resources done, 1 in progress; slowest: aws_s3_bucket.logs_1 0 s']);
  });
});

describe('progress of a plan (its refresh)', () => {
  it('counts the resources read (managed resources refreshed, data sources read) until the first change starts', () => {
    const time = clock();
    const reports: string[] = [];
    const progress = new ApplyProgress((text) => reports.push(text), { now: time.now });
    progress.line('aws_vpc.network_vpc_1A2B: Refreshing state... [id=vpc-1]');
    time.advance(5000);
    progress.line('data.aws_iam_policy_document.ci_trust_1: Read complete after 0s [id=123]');
    progress.line('local  aws_subnet.network_a_1: Refreshing state... [id=subnet-1]');
    time.advance(5000);
    progress.line('aws_subnet.network_b_2: Refreshing state... [id=subnet-2]');
    expect(reports).toEqual(['1 resources read', '2 resources read', '4 resources read']);
  });
});

describe('lineSplitter', () => {
  it('gives whole lines across chunks, and the unterminated last one at the end', () => {
    const lines: string[] = [];
    const splitter = lineSplitter((line) => lines.push(line));
    splitter.push('Plan: 1 to ad');
    splitter.push('d, 0 to change, 0 to destroy.\naws_vpc.a: Crea');
    expect(lines).toEqual(['Plan: 1 to add, 0 to change, 0 to destroy.']);
    splitter.push('ting...\n');
    splitter.push('tail');
    expect(lines).toHaveLength(2);
    splitter.end();
    expect(lines).toEqual(['Plan: 1 to add, 0 to change, 0 to destroy.', 'aws_vpc.a: Creating...', 'tail']);
  });
});
