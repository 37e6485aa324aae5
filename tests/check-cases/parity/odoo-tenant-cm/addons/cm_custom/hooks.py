# dokploy
