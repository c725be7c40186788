# Mien's web service (`mien serve`) as a container. Multi-stage: the SDK builds, the ASP.NET runtime image runs, as a
# non-root user. Written for issue 12 but not built here (no Docker daemon on the development machines).
#   docker build -t mien . && docker run --rm -p 5080:5080 mien
FROM mcr.microsoft.com/dotnet/sdk:10.0 AS build
WORKDIR /src
COPY . .
RUN dotnet publish src/Mien.Cli/Mien.Cli.csproj -c Release -o /app --nologo

FROM mcr.microsoft.com/dotnet/aspnet:10.0
# OpenCV's native library links GTK; opencv-data holds the face cascades.
RUN apt-get update && apt-get install -y --no-install-recommends libgtk-3-0 opencv-data && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY --from=build /app .
USER $APP_UID
EXPOSE 5080
# Probe /health/live and /health/ready from the orchestrator (the runtime image has no curl).
ENTRYPOINT ["dotnet", "Mien.Cli.dll", "serve", "--urls", "http://0.0.0.0:5080"]
