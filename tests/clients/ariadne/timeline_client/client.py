from typing import Any, Optional, Union

from .async_base_client import AsyncBaseClient
from .base_model import UNSET, UnsetType
from .events import Events
from .input_types import EventFilter
from .node import Node
from .relation import Relation


def gql(q: str) -> str:
    return q


class Client(AsyncBaseClient):
    async def relation(
        self,
        a: str,
        b: str,
        as_of: Union[Optional[Any], UnsetType] = UNSET,
        known_at: Union[Optional[Any], UnsetType] = UNSET,
        **kwargs: Any,
    ) -> Relation:
        query = gql("""
            query Relation($a: ID!, $b: ID!, $asOf: Date, $knownAt: DateTime) {
              relation(a: $a, b: $b, asOf: $asOf, knownAt: $knownAt) {
                knownAt
                lastContact {
                  id
                  key
                  title
                  kind
                  location {
                    name
                    country {
                      id
                      name
                    }
                  }
                }
                dialogues {
                  dialogue {
                    id
                    key
                    name
                    track
                  }
                  status
                  since {
                    edtf
                  }
                }
                measuresInForce {
                  measure {
                    id
                    key
                    title
                    kind
                  }
                  imposer {
                    id
                  }
                }
                sharedInstruments {
                  instrument {
                    id
                    key
                    title
                    kind
                  }
                  a {
                    action
                  }
                  b {
                    action
                  }
                }
              }
            }
            """)
        variables: dict[str, object] = {
            "a": a,
            "b": b,
            "asOf": as_of,
            "knownAt": known_at,
        }
        response = await self.execute(
            query=query, operation_name="Relation", variables=variables, **kwargs
        )
        data = self.get_data(response)
        return Relation.model_validate(data)

    async def events(
        self,
        filter_: Union[Optional[EventFilter], UnsetType] = UNSET,
        known_at: Union[Optional[Any], UnsetType] = UNSET,
        **kwargs: Any,
    ) -> Events:
        query = gql("""
            query Events($filter: EventFilter, $knownAt: DateTime) {
              events(filter: $filter, first: 20, knownAt: $knownAt) {
                totalCount
                nodes {
                  __typename
                  id
                  key
                  type
                  occurred {
                    edtf
                  }
                  ... on MeetingHeld {
                    title
                    meetingKind
                  }
                  ... on StatementIssued {
                    summary
                    stance
                    issuer {
                      id
                      name
                    }
                  }
                }
              }
            }
            """)
        variables: dict[str, object] = {"filter": filter_, "knownAt": known_at}
        response = await self.execute(
            query=query, operation_name="Events", variables=variables, **kwargs
        )
        data = self.get_data(response)
        return Events.model_validate(data)

    async def node(self, id: str, **kwargs: Any) -> Node:
        query = gql("""
            query Node($id: ID!) {
              node(id: $id) {
                __typename
                id
                key
                ... on Meeting {
                  title
                }
              }
            }
            """)
        variables: dict[str, object] = {"id": id}
        response = await self.execute(
            query=query, operation_name="Node", variables=variables, **kwargs
        )
        data = self.get_data(response)
        return Node.model_validate(data)
