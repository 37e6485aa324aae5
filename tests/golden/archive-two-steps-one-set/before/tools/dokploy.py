"""dokploy client"""
