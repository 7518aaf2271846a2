// Storage account for the Durable Task hub (queues, tables, blobs) and the audit anchors.
param name string
param location string

resource account 'Microsoft.Storage/storageAccounts@2023-05-01' = {
  name: name
  location: location
  sku: { name: 'Standard_ZRS' }
  kind: 'StorageV2'
  properties: {
    minimumTlsVersion: 'TLS1_2'
    allowBlobPublicAccess: false
    supportsHttpsTrafficOnly: true
  }
}

resource blobs 'Microsoft.Storage/storageAccounts/blobServices@2023-05-01' = {
  parent: account
  name: 'default'
  properties: {
    isVersioningEnabled: true
  }
}

@description('Days an audit anchor blob is kept immutable (WORM). Lock the policy after deployment.')
param anchorRetentionDays int = 3650

// Audit chain heads are written here; the time-based retention policy makes them write-once.
resource anchors 'Microsoft.Storage/storageAccounts/blobServices/containers@2023-05-01' = {
  parent: blobs
  name: 'audit-anchors'
  properties: {
    publicAccess: 'None'
    immutableStorageWithVersioning: { enabled: true }
  }
}

resource anchorRetention 'Microsoft.Storage/storageAccounts/blobServices/containers/immutabilityPolicies@2023-05-01' = {
  parent: anchors
  name: 'default'
  properties: {
    immutabilityPeriodSinceCreationInDays: anchorRetentionDays
    allowProtectedAppendWrites: false
  }
}

output name string = account.name
