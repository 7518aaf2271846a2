// Coordinator on Azure: Functions (isolated worker, Durable Functions on the Azure Storage
// provider), PostgreSQL Flexible Server with pgvector, an immutable blob container for audit
// anchors, and Application Insights. Deploy with `azd up` (azure.yaml at the repository root)
// or `az deployment group create -f infra/main.bicep -g <group> -p environmentName=<name>`.
targetScope = 'resourceGroup'

@description('Short name of the environment, used in resource names (e.g. prod, staging).')
@minLength(2)
@maxLength(12)
param environmentName string

@description('Azure region of every resource.')
param location string = resourceGroup().location

@description('Administrator login of the PostgreSQL server.')
param postgresAdminLogin string = 'coordinatoradmin'

@secure()
@description('Administrator password of the PostgreSQL server.')
param postgresAdminPassword string

@secure()
@description('Password of the coordinator_app role, created by `coordinator db migrate` (see docs/audit.md).')
param appDatabasePassword string

var suffix = uniqueString(resourceGroup().id, environmentName)

module storage 'modules/storage.bicep' = {
  name: 'storage'
  params: {
    name: 'coord${take(suffix, 16)}'
    location: location
  }
}

module monitoring 'modules/monitoring.bicep' = {
  name: 'monitoring'
  params: {
    name: 'coordinator-${environmentName}'
    location: location
  }
}

module postgres 'modules/postgres.bicep' = {
  name: 'postgres'
  params: {
    name: 'coordinator-${environmentName}-${take(suffix, 6)}'
    location: location
    adminLogin: postgresAdminLogin
    adminPassword: postgresAdminPassword
  }
}

module functions 'modules/functions.bicep' = {
  name: 'functions'
  params: {
    name: 'coordinator-${environmentName}-${take(suffix, 6)}'
    location: location
    storageAccountName: storage.outputs.name
    appInsightsConnectionString: monitoring.outputs.connectionString
    postgresHost: postgres.outputs.host
    appDatabasePassword: appDatabasePassword
  }
}

output functionAppName string = functions.outputs.name
output postgresHost string = postgres.outputs.host
