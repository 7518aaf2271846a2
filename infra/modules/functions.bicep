// The Functions app (.NET isolated worker, Durable Functions on the Azure Storage provider).
param name string
param location string
param storageAccountName string
param appInsightsConnectionString string
param postgresHost string

@secure()
@description('Password of the coordinator_app role (INSERT + SELECT on the audit registry).')
param appDatabasePassword string

resource storage 'Microsoft.Storage/storageAccounts@2023-05-01' existing = {
  name: storageAccountName
}

resource plan 'Microsoft.Web/serverfarms@2023-12-01' = {
  name: '${name}-plan'
  location: location
  sku: { name: 'EP1', tier: 'ElasticPremium' }
  kind: 'elastic'
  properties: { reserved: true }
}

resource app 'Microsoft.Web/sites@2023-12-01' = {
  name: name
  location: location
  kind: 'functionapp,linux'
  identity: { type: 'SystemAssigned' }
  properties: {
    serverFarmId: plan.id
    httpsOnly: true
    siteConfig: {
      linuxFxVersion: 'DOTNET-ISOLATED|10.0'
      minTlsVersion: '1.2'
      appSettings: [
        { name: 'FUNCTIONS_EXTENSION_VERSION', value: '~4' }
        { name: 'FUNCTIONS_WORKER_RUNTIME', value: 'dotnet-isolated' }
        { name: 'AzureWebJobsStorage', value: 'DefaultEndpointsProtocol=https;AccountName=${storage.name};AccountKey=${storage.listKeys().keys[0].value};EndpointSuffix=${environment().suffixes.storage}' }
        { name: 'CoordinatorTaskHub', value: 'coordinator' }
        { name: 'APPLICATIONINSIGHTS_CONNECTION_STRING', value: appInsightsConnectionString }
        // Audit chain-head anchors: write-once blobs in the immutable container 'audit-anchors'.
        { name: 'Coordinator__Audit__AnchorStore', value: 'blob' }
        { name: 'Coordinator__Audit__AnchorContainer', value: 'audit-anchors' }
        { name: 'Coordinator__Audit__AnchorBlobConnectionString', value: 'DefaultEndpointsProtocol=https;AccountName=${storage.name};AccountKey=${storage.listKeys().keys[0].value};EndpointSuffix=${environment().suffixes.storage}' }
      ]
      connectionStrings: [
        {
          name: 'Coordinator'
          type: 'PostgreSQL'
          connectionString: 'Host=${postgresHost};Database=coordinator;Username=coordinator_app;Password=${appDatabasePassword};Ssl Mode=Require'
        }
      ]
    }
  }
}

output name string = app.name
