# Build: docker build -t monitoring .
# Run:   docker run -p 5080:5080 -v monitoring-data:/data -e MONITORING_ADMIN_PASSWORD='…' monitoring
#
# The port is published behind local accounts (Auth:Mode=Local, the default). Without
# MONITORING_ADMIN_PASSWORD the first start prints a generated admin password once to stderr
# (docker logs). Auth:Mode=None refuses to start on this non-loopback address, by design.
# The sign-in key ring lives in the volume (/data/keys): a re-created container keeps everyone signed in.

FROM mcr.microsoft.com/dotnet/sdk:10.0 AS build
# The build runs `npm ci` for the chart library (Monitoring.Web/package.json).
RUN apt-get update \
 && apt-get install -y --no-install-recommends nodejs npm \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY global.json Directory.Build.props Directory.Packages.props .editorconfig ./
COPY Monitoring.Core/Monitoring.Core.csproj Monitoring.Core/
COPY Monitoring.Gpu/Monitoring.Gpu.csproj Monitoring.Gpu/
COPY Monitoring.Web/Monitoring.Web.csproj Monitoring.Web/
RUN dotnet restore Monitoring.Web/Monitoring.Web.csproj
COPY Monitoring.Core/ Monitoring.Core/
COPY Monitoring.Gpu/ Monitoring.Gpu/
COPY Monitoring.Web/ Monitoring.Web/
RUN dotnet publish Monitoring.Web/Monitoring.Web.csproj -c Release --no-restore -o /app

FROM mcr.microsoft.com/dotnet/aspnet:10.0
RUN apt-get update \
 && apt-get install -y --no-install-recommends curl ffmpeg \
 && rm -rf /var/lib/apt/lists/* \
 && mkdir /data && chown "$APP_UID" /data
WORKDIR /app
COPY --from=build /app .
ENV ASPNETCORE_ENVIRONMENT=Production \
    ASPNETCORE_URLS=http://0.0.0.0:5080 \
    Storage__DataDirectory=/data
EXPOSE 5080
VOLUME /data
USER $APP_UID
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
  CMD curl -fsS http://127.0.0.1:5080/health/live || exit 1
ENTRYPOINT ["dotnet", "Monitoring.Web.dll"]
