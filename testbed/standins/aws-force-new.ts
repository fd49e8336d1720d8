// Properties whose change makes the AWS provider replace the resource: ForceNew in the Terraform AWS provider
// schema that @pulumi/aws bridges (resource_aws_db_instance.go,
// resource_aws_elasticache_replication_group.go, resource_aws_elasticache_user.go). The stand-in's diff
// reports replacement for exactly these.
export const FORCE_NEW: Readonly<Record<string, readonly string[]>> = {
  "aws:rds/instance:Instance": [
    "identifier",
    "engine",
    "dbName",
    "username",
    "kmsKeyId",
    "storageEncrypted",
    "availabilityZone",
    "dbSubnetGroupName",
    "replicateSourceDb",
    "port",
  ],
  "aws:elasticache/replicationGroup:ReplicationGroup": [
    "replicationGroupId",
    "engine",
    "subnetGroupName",
    "atRestEncryptionEnabled",
    "kmsKeyId",
    "port",
    "snapshotArns",
    "snapshotName",
  ],
  "aws:elasticache/user:User": ["userId", "userName", "engine"],
};
